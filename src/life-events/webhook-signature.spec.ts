import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../hub-config';
import { HubKeyService } from '../keys/hub-key.service';
import { signWebhookBody, verifyWebhookBody } from './webhook-signature';

describe('webhook signatures', () => {
  const keys = new HubKeyService(loadConfig({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-webhook-')) }));
  const other = new HubKeyService(loadConfig({ HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-webhook-other-')) }));
  const body = JSON.stringify({ type: 'DEATH', date: '2026-06-01', idempotencyKey: 'k-1' });

  it('verifies the body signed, with the hub public key, and carries the key id and the delivery id', async () => {
    const signature = await signWebhookBody((payload, header) => keys.sign(payload, header), body, 'd-1');
    expect(signature).toMatch(/^[\w-]+\.\.[\w-]+$/);
    const header = JSON.parse(Buffer.from(signature.split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'ES256', kid: await keys.kid(), 'delivery-id': 'd-1' });
    expect(await verifyWebhookBody(await keys.publicJwk(), body, signature)).toBe(true);
  });

  it('fails for a changed body, another key, or a signature with its payload attached', async () => {
    const signature = await signWebhookBody((payload, header) => keys.sign(payload, header), body, 'd-1');
    expect(await verifyWebhookBody(await keys.publicJwk(), body.replace('DEATH', 'BIRTH'), signature)).toBe(false);
    expect(await verifyWebhookBody(await other.publicJwk(), body, signature)).toBe(false);
    const attached = await keys.sign(body);
    expect(await verifyWebhookBody(await keys.publicJwk(), body, attached)).toBe(false);
    expect(await verifyWebhookBody(await keys.publicJwk(), body, 'garbage')).toBe(false);
  });
});
