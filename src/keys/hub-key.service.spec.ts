import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/config';
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
});
