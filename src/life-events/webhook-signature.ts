import { compactVerify, importJWK, JWK } from 'jose';
import { HUB_KEY_ALGORITHM } from '../keys/hub-key.service';

/** The header a partner's webhook reads the hub's signature from. */
export const SIGNATURE_HEADER = 'x-hub-signature';

/** Signs with the hub's key (`HubKeyService.sign`): a compact JWS over the payload given. */
export type HubSigner = (payload: string, header: Record<string, unknown>) => Promise<string>;

/**
 * The signature of a webhook body: a JWS (ES256, the hub's key, `kid` in its header) with a detached payload
 * (RFC 7515, appendix F), `header..signature`. The body goes as it is; the partner puts it back between the
 * dots to verify, with the key `npm run cli -- audit public-key` prints (docs/life-events.md).
 */
export async function signWebhookBody(sign: HubSigner, body: string, deliveryId: string): Promise<string> {
  const [header, , signature] = (await sign(body, { typ: 'hub-life-event+jws', 'delivery-id': deliveryId })).split('.');
  return `${header}..${signature}`;
}

/** What a partner does on receipt: true when `signature` is the hub's over exactly `body`. */
export async function verifyWebhookBody(publicJwk: JWK, body: string, signature: string): Promise<boolean> {
  const [header, payload, value] = signature.split('.');
  if (payload !== '' || !header || !value) return false;
  try {
    const key = await importJWK(publicJwk, HUB_KEY_ALGORITHM);
    await compactVerify(`${header}.${Buffer.from(body).toString('base64url')}.${value}`, key);
    return true;
  } catch {
    return false;
  }
}
