import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../hub-config';
import { HubKeyService } from './hub-key.service';

describe('HubKeyService', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-keys-'));
  const config = loadConfig({ HUB_DATA_DIR: dataDir });

  it('generates a key once, keeps it private on disk, and reloads the same key', async () => {
    const first = new HubKeyService(config);
    const kid = await first.kid();
    expect(statSync(first.keyFile).mode & 0o777).toBe(0o600);
    const second = new HubKeyService(config);
    expect(await second.kid()).toBe(kid);
    expect(await second.publicJwk()).not.toHaveProperty('d');
  });

  it('signs and verifies, and rejects a tampered signature', async () => {
    const keys = new HubKeyService(config);
    const jws = await keys.sign('{"seq":1}');
    expect(new TextDecoder().decode(await keys.verify(jws))).toBe('{"seq":1}');
    const [header, , signature] = jws.split('.');
    const tampered = [header, Buffer.from('{"seq":2}').toString('base64url'), signature].join('.');
    await expect(keys.verify(tampered)).rejects.toThrow(/signature verification failed/);
  });

  it('derives a secret per purpose, the same from the same key file and different from another key', async () => {
    const secret = await new HubKeyService(config).derivedSecret('search-cursor/v1');
    expect(secret).toHaveLength(32);
    expect(await new HubKeyService(config).derivedSecret('search-cursor/v1')).toEqual(secret);
    expect(await new HubKeyService(config).derivedSecret('another/v1')).not.toEqual(secret);
    const other = new HubKeyService(loadConfig({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-keys-other-')) }));
    expect(await other.derivedSecret('search-cursor/v1')).not.toEqual(secret);
  });

  describe('after the key is replaced', () => {
    const keysIn = (name: string, keys: object[]) => {
      const file = join(mkdtempSync(join(tmpdir(), 'hub-retired-')), name);
      writeFileSync(file, JSON.stringify({ keys }));
      return file;
    };
    const newKey = () => loadConfig({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-keys-new-')) });

    it('verifies what the old key signed once its public half is listed as retired, and only then', async () => {
      const old = new HubKeyService(config);
      const jws = await old.sign('{"seq":7}');

      const withoutHistory = new HubKeyService(newKey());
      expect(await withoutHistory.knows(await old.kid())).toBe(false);
      await expect(withoutHistory.verify(jws)).rejects.toThrow(/unknown key/);

      const retired = keysIn('retired.json', [await old.publicJwk()]);
      const current = new HubKeyService({ ...newKey(), retiredKeysFile: retired });
      expect(await current.kid()).not.toBe(await old.kid());
      expect(await current.knows(await old.kid())).toBe(true);
      expect(new TextDecoder().decode(await current.verify(jws))).toBe('{"seq":7}');
      // New signatures are the new key's.
      const fresh = await current.sign('{"seq":8}');
      await expect(old.verify(fresh)).rejects.toThrow(/unknown key/);
    });

    it('refuses a retired-keys file holding a private key, or anything but ES256 public keys', async () => {
      const privateJwk = JSON.parse(readFileSync(new HubKeyService(config).keyFile, 'utf8'));
      for (const [keys, problem] of [
        [[privateJwk], /private part/],
        [[{ kty: 'RSA', n: 'x', e: 'AQAB' }], /not an ES256 public key/],
        [[{ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }], /key 0 cannot be read/],
      ] as const) {
        const service = new HubKeyService({ ...newKey(), retiredKeysFile: keysIn('bad.json', [...keys]) });
        await expect(service.onModuleInit()).rejects.toThrow(problem);
      }
      const notJwks = new HubKeyService({
        ...newKey(),
        retiredKeysFile: keysIn('list.json', []).replace('list.json', 'missing.json'),
      });
      await expect(notJwks.onModuleInit()).rejects.toThrow(/HUB_RETIRED_KEYS_FILE .* not a readable JSON file/);
    });
  });
});
