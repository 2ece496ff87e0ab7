import { hkdfSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import {
  calculateJwkThumbprint,
  CompactSign,
  compactVerify,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  JWK,
  type CryptoKey,
} from 'jose';
import { AppConfig, ConfigError } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

export const HUB_KEY_ALGORITHM = 'ES256';

interface StoredKey {
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
}

/**
 * The hub's own signing key (ES256), kept as a JWK file under `HUB_DATA_DIR/keys` (mode 600) and
 * generated on first start. It signs audit checkpoints and, outside production, the dev tokens the CLI
 * issues. In production the file is provisioned by the operator (`HUB_SIGNING_KEY_FILE`). When the key is
 * replaced, the public half of the old one goes into `HUB_RETIRED_KEYS_FILE` (a JWKS): what it signed still
 * verifies, and nothing new is signed with it.
 */
@Injectable()
export class HubKeyService implements OnModuleInit {
  private key?: { stored: StoredKey; privateKey: CryptoKey; publicKey: CryptoKey };
  private retired?: Map<string, CryptoKey>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await this.load();
    await this.retiredKeys();
  }

  get keyFile(): string {
    return this.config.signingKeyFile ?? join(this.config.dataDir, 'keys', 'hub-signing-key.json');
  }

  async kid(): Promise<string> {
    return (await this.load()).stored.kid;
  }

  /** The public half, with `kid`, `alg` and `use`, for a JWKS document. */
  async publicJwk(): Promise<JWK> {
    return (await this.load()).stored.publicJwk;
  }

  /** A compact JWS over `payload` (bytes or a string), with `kid` in the protected header. */
  async sign(payload: string | Uint8Array, header: Record<string, unknown> = {}): Promise<string> {
    const { stored, privateKey } = await this.load();
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
    return new CompactSign(bytes)
      .setProtectedHeader({ ...header, alg: HUB_KEY_ALGORITHM, kid: stored.kid })
      .sign(privateKey);
  }

  /** Whether a JWS with this `kid` can be verified: the current key, or a retired one. */
  async knows(kid: unknown): Promise<boolean> {
    return (await this.verificationKey(kid)) !== undefined;
  }

  /**
   * Verifies a JWS made by `sign` with this key or a retired one (chosen by its `kid`); returns its
   * payload, or throws.
   */
  async verify(jws: string): Promise<Uint8Array> {
    const { kid } = decodeProtectedHeader(jws);
    const key = await this.verificationKey(kid);
    if (!key) throw new Error(`signed with an unknown key (${String(kid)})`);
    const { payload } = await compactVerify(jws, key, { algorithms: [HUB_KEY_ALGORITHM] });
    return payload;
  }

  /** The private key, for components (the dev token issuer) that sign with jose's higher-level APIs. */
  async privateKey(): Promise<{ key: CryptoKey; kid: string }> {
    const { stored, privateKey } = await this.load();
    return { key: privateKey, kid: stored.kid };
  }

  /**
   * A 256-bit secret for `purpose`, derived from the private key (HKDF-SHA256): the same on every instance
   * that holds this key (so what one instance seals another can open), different for each purpose, never
   * the key itself, and renewed when the key is replaced.
   */
  async derivedSecret(purpose: string): Promise<Buffer> {
    const { stored } = await this.load();
    if (!stored.privateJwk.d) throw new Error('the hub signing key has no private part');
    return Buffer.from(
      hkdfSync('sha256', Buffer.from(stored.privateJwk.d, 'base64url'), 'single-view-hub/derived-secret', purpose, 32),
    );
  }

  private async load() {
    if (this.key) return this.key;
    const stored = existsSync(this.keyFile) ? await this.read() : await this.generate();
    const privateKey = (await importJWK(stored.privateJwk, HUB_KEY_ALGORITHM)) as CryptoKey;
    const publicKey = (await importJWK(stored.publicJwk, HUB_KEY_ALGORITHM)) as CryptoKey;
    this.key = { stored, privateKey, publicKey };
    return this.key;
  }

  /** The public key for `kid`: the current key's, or a retired one's. */
  private async verificationKey(kid: unknown): Promise<CryptoKey | undefined> {
    const { stored, publicKey } = await this.load();
    if (kid === stored.kid) return publicKey;
    return typeof kid === 'string' ? (await this.retiredKeys()).get(kid) : undefined;
  }

  /** The retired keys by kid: public ES256 keys only (a file holding a private part is refused). */
  private async retiredKeys(): Promise<Map<string, CryptoKey>> {
    if (this.retired) return this.retired;
    const file = this.config.retiredKeysFile;
    const keys = new Map<string, CryptoKey>();
    if (file) {
      const invalid = (problem: string) =>
        new ConfigError(`Invalid configuration: HUB_RETIRED_KEYS_FILE ${file} ${problem}`);
      let set: { keys?: unknown };
      try {
        set = JSON.parse(await readFile(file, 'utf8')) as { keys?: unknown };
      } catch (error) {
        throw invalid(`is not a readable JSON file (${(error as Error).message})`);
      }
      if (!Array.isArray(set.keys)) throw invalid('has no "keys" array (a JWKS: {"keys": [...]})');
      for (const [index, jwk] of (set.keys as JWK[]).entries()) {
        if (jwk?.d !== undefined) throw invalid(`key ${index} has a private part: retired keys are public halves only`);
        if (jwk?.kty !== 'EC' || jwk.crv !== 'P-256')
          throw invalid(`key ${index} is not an ES256 public key (EC P-256)`);
        try {
          keys.set(
            jwk.kid ?? (await calculateJwkThumbprint(jwk)),
            (await importJWK(jwk, HUB_KEY_ALGORITHM)) as CryptoKey,
          );
        } catch (error) {
          throw invalid(`key ${index} cannot be read (${(error as Error).message})`);
        }
      }
    }
    this.retired = keys;
    return keys;
  }

  private async read(): Promise<StoredKey> {
    const privateJwk = JSON.parse(await readFile(this.keyFile, 'utf8')) as JWK;
    const { d: _d, ...publicPart } = privateJwk;
    const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicPart));
    return { privateJwk, publicJwk: { ...publicPart, kid, alg: HUB_KEY_ALGORITHM, use: 'sig' }, kid };
  }

  private async generate(): Promise<StoredKey> {
    const { privateKey } = await generateKeyPair(HUB_KEY_ALGORITHM, { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    const { d: _d, ...publicPart } = privateJwk;
    const kid = await calculateJwkThumbprint(publicPart);
    const file = { ...privateJwk, kid, alg: HUB_KEY_ALGORITHM };
    await mkdir(dirname(this.keyFile), { recursive: true });
    // Another instance on the same data directory may win the race; then its key is the one to use.
    try {
      await writeFile(this.keyFile, JSON.stringify(file), { mode: 0o600, flag: 'wx' });
      await chmod(this.keyFile, 0o600);
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
      return this.read();
    }
    return { privateJwk: file, publicJwk: { ...publicPart, kid, alg: HUB_KEY_ALGORITHM, use: 'sig' }, kid };
  }
}
