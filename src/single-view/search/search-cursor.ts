import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { HubKeyService } from '../../keys/hub-key.service';
import { badInput } from '../single-view.errors';

/** Where a page ended: the last released result's score (ranked searches only) and person id. */
export interface SearchPosition {
  score?: number;
  personId: string;
}

const VERSION = 1;
const PLAINTEXT = 22; // version, ranked flag, score (uint32, 1/10000ths), person id (16 bytes)
const IV = 12;
const TAG = 16;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Search cursors, sealed with AES-256-GCM: the caller cannot read which person or score a page ended at, and
 * cannot forge or alter one. Each is bound (as GCM's additional data) to what it was given for (the
 * criteria, the ranking mode, the caller and the purpose), so it opens only for the same search by the same
 * caller. The plaintext has a fixed length, so the cursor's length says nothing about the score either.
 *
 * The key is derived from the hub's signing key, which every instance of a deployment shares (it signs the
 * audit checkpoints), so a page asked of one instance continues on another; no new secret to provision. A
 * key rotation makes outstanding cursors unusable: the caller starts the search again.
 */
@Injectable()
export class SearchCursors {
  private key?: Promise<Buffer>;

  constructor(private readonly keys: HubKeyService) {}

  async seal(position: SearchPosition, binding: string): Promise<string> {
    const key = await this.secret();
    const plain = Buffer.alloc(PLAINTEXT);
    plain.writeUInt8(VERSION, 0);
    plain.writeUInt8(position.score === undefined ? 0 : 1, 1);
    plain.writeUInt32BE(position.score === undefined ? 0 : Math.round(position.score * 10_000), 2);
    Buffer.from(position.personId.replace(/-/g, ''), 'hex').copy(plain, 6);
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG });
    cipher.setAAD(bindingDigest(binding));
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return sealed.toString('base64url');
  }

  /** The position a cursor given for this same search holds; anything else is BAD_USER_INPUT. */
  async open(cursor: string, binding: string): Promise<SearchPosition> {
    const key = await this.secret();
    const sealed = /^[A-Za-z0-9_-]+$/.test(cursor) ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0);
    if (sealed.length !== IV + PLAINTEXT + TAG) throw notOurs();
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV), { authTagLength: TAG });
      decipher.setAAD(bindingDigest(binding));
      decipher.setAuthTag(sealed.subarray(IV + PLAINTEXT));
      plain = Buffer.concat([decipher.update(sealed.subarray(IV, IV + PLAINTEXT)), decipher.final()]);
    } catch {
      throw notOurs();
    }
    if (plain.readUInt8(0) !== VERSION) throw notOurs();
    const hex = plain.subarray(6).toString('hex');
    const personId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    if (!uuidPattern.test(personId)) throw notOurs();
    return plain.readUInt8(1) === 1 ? { score: plain.readUInt32BE(2) / 10_000, personId } : { personId };
  }

  private secret(): Promise<Buffer> {
    this.key ??= this.keys.derivedSecret('search-cursor/v1');
    return this.key;
  }
}

function bindingDigest(binding: string): Buffer {
  return createHash('sha256').update(binding).digest();
}

function notOurs() {
  return badInput(
    'after is not a cursor this search gave you (cursors hold only for the same search, caller and purpose)',
  );
}
