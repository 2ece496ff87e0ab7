import { SIGNATURE_HEADER, signWebhookBody, HubSigner } from '../webhook-signature';
import type { DeliveryPayload } from './life-event-outbox';

/** The JSON body a partner's webhook receives (docs/life-events.md). */
export interface WebhookBody {
  deliveryId: string;
  idempotencyKey: string;
  kind: 'NOTICE' | 'RETRACTION';
  eventId: string;
  type: DeliveryPayload['type'];
  /** The released fields by field ref (`hub.lifeEvent.*`, `hub.identity.*`): what the partner's agreement lists. */
  released: Record<string, unknown>;
}

/** The header carrying the delivery's idempotency key (also in the body). */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** The header carrying the delivery's id (also in the body and in the signature's protected header). */
export const DELIVERY_ID_HEADER = 'x-hub-delivery-id';

/** What a webhook answered, or why nothing was delivered. `refused`: sending it again cannot help. */
export type WebhookResult =
  { ok: true; outcome: string; detail?: string } | { ok: false; refused: boolean; error: string };

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const receiptOutcomes = new Set(['applied', 'already-applied', 'nothing-to-do']);
/** A partner's answer is read at most this far (its receipt is small). */
const MAX_ANSWER_BYTES = 4096;

/**
 * Whether the hub may POST to `address`: HTTPS only; plain HTTP to loopback outside production (the tests'
 * and a developer's receivers). No credentials in the address. Returns why not, or undefined.
 */
export function webhookAddressProblem(address: string, production: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return 'the webhook address is not a URL';
  }
  if (url.username || url.password) return 'the webhook address must not carry credentials';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && !production && loopbackHosts.has(url.hostname)) return undefined;
  return production || url.protocol !== 'http:'
    ? 'the webhook address must be https'
    : 'a plain http webhook address is allowed only on loopback, outside production';
}

/**
 * One attempt at a partner's webhook: the body signed with the hub's key (detached JWS in `x-hub-signature`),
 * POSTed within `timeoutMs`, redirects not followed. 2xx: delivered (the partner may answer a receipt
 * `{"outcome": "applied" | "already-applied" | "nothing-to-do"}`); 408, 425, 429 and 5xx, timeouts and
 * connection failures: retried; any other answer (a 3xx, a 4xx): refused, dead-lettered at once.
 * Errors name the status or the failure, never anything of the body.
 */
export async function postWebhook(
  address: string,
  body: WebhookBody,
  sign: HubSigner,
  options: { timeoutMs: number; production: boolean },
): Promise<WebhookResult> {
  const problem = webhookAddressProblem(address, options.production);
  if (problem) return { ok: false, refused: true, error: problem };
  const text = JSON.stringify(body);
  const signature = await signWebhookBody(sign, text, body.deliveryId);
  let response: Response;
  try {
    response = await fetch(address, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signature,
        [IDEMPOTENCY_HEADER]: body.idempotencyKey,
        [DELIVERY_ID_HEADER]: body.deliveryId,
      },
      body: text,
    });
  } catch (error) {
    return { ok: false, refused: false, error: transportError(error, options.timeoutMs) };
  }
  const answer = await readAnswer(response);
  const status = response.status;
  if (status >= 200 && status < 300) {
    const outcome = receiptOutcome(answer);
    return { ok: true, outcome: outcome ?? 'accepted', detail: `HTTP ${status}` };
  }
  if (status === 408 || status === 425 || status === 429 || status >= 500)
    return { ok: false, refused: false, error: `webhook answered HTTP ${status}` };
  if (status >= 300 && status < 400)
    return { ok: false, refused: true, error: `webhook answered HTTP ${status} (redirects are not followed)` };
  return { ok: false, refused: true, error: `webhook refused the delivery: HTTP ${status}` };
}

async function readAnswer(response: Response): Promise<string> {
  try {
    const reader = response.body?.getReader();
    if (!reader) return '';
    const chunks: Uint8Array[] = [];
    let size = 0;
    while (size < MAX_ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    await reader.cancel().catch(() => undefined);
    return Buffer.concat(chunks).subarray(0, MAX_ANSWER_BYTES).toString('utf8');
  } catch {
    return '';
  }
}

function receiptOutcome(answer: string): string | undefined {
  try {
    const parsed = JSON.parse(answer) as { outcome?: unknown };
    return typeof parsed?.outcome === 'string' && receiptOutcomes.has(parsed.outcome) ? parsed.outcome : undefined;
  } catch {
    return undefined;
  }
}

function transportError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `webhook did not answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z_]{2,40}$/.test(cause.code) ? cause.code : undefined;
  return `webhook unreachable${code ? ` (${code})` : ''}`;
}
