import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../hub-config';
import { HubKeyService } from '../../keys/hub-key.service';
import { SearchCursors } from './search-cursor';

describe('search cursors', () => {
  const config = loadConfig({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-cursor-')) });
  const cursors = new SearchCursors(new HubKeyService(config));
  const personId = randomUUID();

  it('open what they sealed, ranked or not, and name no one in readable form', async () => {
    for (const position of [
      { score: 0.8123, personId },
      { score: 1, personId },
      { score: 0.45, personId },
      { personId },
    ]) {
      const cursor = await cursors.seal(position, 'search A');
      expect(await cursors.open(cursor, 'search A')).toEqual(position);
      const bytes = Buffer.from(cursor, 'base64url');
      expect(bytes.toString('latin1')).not.toContain(personId);
      expect(bytes.includes(Buffer.from(personId.replace(/-/g, ''), 'hex'))).toBe(false);
    }
  });

  it('have one length whatever the score, and differ each time', async () => {
    const lengths = new Set<number>();
    for (const score of [0, 0.5, 0.8333, 1]) lengths.add((await cursors.seal({ score, personId }, 'b')).length);
    lengths.add((await cursors.seal({ personId }, 'b')).length);
    expect(lengths.size).toBe(1);
    expect(await cursors.seal({ personId }, 'b')).not.toBe(await cursors.seal({ personId }, 'b'));
  });

  it('open on another instance holding the same hub key, and on no other', async () => {
    const cursor = await cursors.seal({ score: 0.9, personId }, 'search A');
    const sameKey = new SearchCursors(new HubKeyService(config));
    expect(await sameKey.open(cursor, 'search A')).toEqual({ score: 0.9, personId });
    const otherKey = new SearchCursors(
      new HubKeyService(loadConfig({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-cursor-other-')) })),
    );
    await expect(otherKey.open(cursor, 'search A')).rejects.toThrow(/not a cursor this search gave you/);
  });

  it('refuse another search, a changed byte or anything not theirs as BAD_USER_INPUT', async () => {
    const cursor = await cursors.seal({ personId }, 'search A');
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[20] ^= 1;
    for (const [given, binding] of [
      [cursor, 'search B'],
      [bytes.toString('base64url'), 'search A'],
      [Buffer.from(JSON.stringify([1, personId])).toString('base64url'), 'search A'],
      ['not a cursor!', 'search A'],
      ['', 'search A'],
    ]) {
      await expect(cursors.open(given, binding)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });
});
