import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import type { DataSource } from 'typeorm';
import { deliveryKey } from '../../src/life-events/delivery-plan';
import type { DeliveryPayload, LifeEventOutbox } from '../../src/life-events/delivery/life-event-outbox';
import { verifyWebhookBody } from '../../src/life-events/webhook-signature';
import {
  LifeEventNotice,
  LifeEventNoticeRefused,
  LifeEventReceipt,
  SourceAdapter,
} from '../../src/sources/source-adapter';

export interface Recipient {
  kind: 'source' | 'partner';
  recipient: string;
  organisation: string;
}

/** An organisation and, for a partner, its subscription with `webhookUrl` (rows as the intake writes them). */
export async function insertRecipient(
  db: DataSource,
  recipient: Recipient,
  eventTypes: readonly string[],
  webhookUrl?: string,
): Promise<void> {
  await db.query(
    `insert into organisation (id, name, kind, created_by) values ($1, $1, $2, 'test') on conflict (id) do nothing`,
    [recipient.organisation, recipient.kind === 'partner' ? 'nhs' : 'council'],
  );
  for (const type of eventTypes)
    await db.query(
      `insert into life_event_subscription (recipient_kind, recipient, organisation, event_type, webhook_url, created_by)
       values ($1, $2, $3, $4, $5, 'test')
       on conflict (recipient_kind, recipient, event_type) do update set webhook_url = excluded.webhook_url`,
      [
        recipient.kind,
        recipient.recipient,
        recipient.organisation,
        type,
        recipient.kind === 'partner' ? webhookUrl : null,
      ],
    );
}

export interface InsertedEvent {
  eventId: string;
  /** Delivery id by `kind:recipient`. */
  deliveries: Map<string, string>;
}

/** A released date of death, as an agreement releasing `hub.lifeEvent.type` and `.date` would give it. */
export const DEATH_FIELDS = ['hub.lifeEvent.date', 'hub.lifeEvent.type'];

/**
 * An accepted event and one NOTICE row per recipient, inserted directly (as the intake's transaction would),
 * with their jobs enqueued in the same transaction through the outbox.
 */
export async function insertEvent(
  db: DataSource,
  outbox: LifeEventOutbox,
  recipients: readonly Recipient[],
  options: {
    type?: DeliveryPayload['type'];
    date?: string;
    status?: string;
    enqueue?: boolean;
    /** Each source's own keys for the person, by source id (default: a made-up key). */
    sourceKeys?: Record<string, string[]>;
  } = {},
): Promise<InsertedEvent> {
  const eventId = randomUUID();
  const type = options.type ?? 'DEATH';
  const date = options.date ?? '2026-11-30';
  const deliveries = new Map<string, string>();
  await db.transaction(async (manager) => {
    await manager.query(
      `insert into life_event (id, type, status, occurred_on, evidence_reference, report, reported_by)
       values ($1, $2, $3, $4, $5, '{}'::jsonb, '{"subject":"test-registrar"}'::jsonb)`,
      [eventId, type, options.status ?? 'ACCEPTED', date, `EV-${eventId}`],
    );
    for (const r of recipients) {
      const payload: DeliveryPayload = {
        eventId,
        type,
        released: { 'hub.lifeEvent.type': type, 'hub.lifeEvent.date': date },
        ...(r.kind === 'source'
          ? { sourceKeys: options.sourceKeys?.[r.recipient] ?? [`KEY-${eventId.slice(0, 8)}`] }
          : {}),
      };
      const [row] = (await manager.query(
        `insert into life_event_delivery (event_id, kind, recipient_kind, recipient, organisation, agreement_id,
           agreement_version, fields, payload, idempotency_key)
         values ($1, 'NOTICE', $2, $3, $4, 'tell-us-once', 1, $5, $6, $7) returning id`,
        [
          eventId,
          r.kind,
          r.recipient,
          r.organisation,
          DEATH_FIELDS,
          payload,
          deliveryKey(eventId, 'notice', `${r.kind}:${r.recipient}`),
        ],
      )) as { id: string }[];
      deliveries.set(`NOTICE:${r.recipient}`, row.id);
    }
    if (options.enqueue !== false) await outbox.enqueue(manager, [...deliveries.values()]);
  });
  return { eventId, deliveries };
}

/** The event withdrawn, and a RETRACTION row (with its job) for each recipient that has a NOTICE row. */
export async function withdrawEvent(
  db: DataSource,
  outbox: LifeEventOutbox,
  eventId: string,
): Promise<Map<string, string>> {
  const retractions = new Map<string, string>();
  await db.transaction(async (manager) => {
    await manager.query(
      `update life_event set status = 'WITHDRAWN', withdrawn_at = now(), withdrawn_by = '{"subject":"test"}'::jsonb,
         withdrawal_reason = 'reported in error' where id = $1`,
      [eventId],
    );
    const rows = (await manager.query(
      `insert into life_event_delivery (event_id, kind, recipient_kind, recipient, organisation, agreement_id,
         agreement_version, fields, payload, idempotency_key)
       select event_id, 'RETRACTION', recipient_kind, recipient, organisation, agreement_id, agreement_version, fields,
              payload, md5(idempotency_key || ':retraction')
       from life_event_delivery where event_id = $1 and kind = 'NOTICE'
       returning id, recipient`,
      [eventId],
    )) as { id: string; recipient: string }[];
    for (const row of rows) retractions.set(`RETRACTION:${row.recipient}`, row.id);
    await outbox.enqueue(
      manager,
      rows.map((row) => row.id),
    );
  });
  return retractions;
}

export interface DeliveryState {
  id: string;
  kind: string;
  recipient: string;
  status: string;
  attempts: number;
  outcome: string | null;
  last_error: string | null;
  delivered_at: Date | null;
}

export async function deliveryStates(db: DataSource, ids?: readonly string[]): Promise<DeliveryState[]> {
  return (await db.query(
    `select id, kind, recipient, status, attempts, outcome, last_error, delivered_at from life_event_delivery
     ${ids ? 'where id = any($1::uuid[])' : ''} order by created_at, recipient`,
    ids ? [ids] : [],
  )) as DeliveryState[];
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface WebhookReceipt {
  deliveryId: string;
  idempotencyKey: string;
  kind: string;
  eventId: string;
  type: string;
  released: Record<string, unknown>;
  /** The signature verified against the hub's public key over the exact body. */
  verified: boolean;
  headers: IncomingMessage['headers'];
}

/**
 * A partner's webhook as an integrator would write it (docs/life-events.md): verifies the hub's
 * signature over the raw body, applies each idempotency key once (a repeat answers `already-applied`), and
 * can be told to fail (HTTP `status`) for a number of requests, or to answer slowly.
 */
export interface WebhookReceiver {
  url: string;
  /** Every request that reached it, in order (verified or not). */
  received: WebhookReceipt[];
  /** How many times each key was applied (the partner's own effect): 1 each, whatever the repeats. */
  applied: Map<string, number>;
  failNext(count: number, status?: number): void;
  setLatency(ms: number): void;
  /** The key requests are verified with (the hub's public JWK). */
  setKey(jwk: JWK): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(publicJwk?: JWK): Promise<WebhookReceiver> {
  let key = publicJwk;
  let failures = 0;
  let failStatus = 503;
  let latency = 0;
  const received: WebhookReceipt[] = [];
  const applied = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        if (latency) await new Promise((resolve) => setTimeout(resolve, latency));
        const body = Buffer.concat(chunks).toString('utf8');
        const signature = String(req.headers['x-hub-signature'] ?? '');
        const verified = key ? await verifyWebhookBody(key, body, signature) : false;
        let parsed: Omit<WebhookReceipt, 'verified' | 'headers'>;
        try {
          parsed = JSON.parse(body) as typeof parsed;
        } catch {
          res.writeHead(400).end();
          return;
        }
        received.push({ ...parsed, verified, headers: req.headers });
        if (failures > 0) {
          failures--;
          res.writeHead(failStatus, { 'content-type': 'application/json' }).end('{"error":"try later"}');
          return;
        }
        if (!verified) {
          res.writeHead(401).end();
          return;
        }
        const seen = applied.has(parsed.idempotencyKey);
        if (!seen) applied.set(parsed.idempotencyKey, 1);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ outcome: seen ? 'already-applied' : 'applied' }));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tell-us-once`,
    received,
    applied,
    failNext: (count, status = 503) => {
      failures = count;
      failStatus = status;
    },
    setLatency: (ms) => (latency = ms),
    setKey: (jwk) => (key = jwk),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A source adapter whose notify the test observes (until every sandbox takes notices over HTTP): applies
 * each key once, can be made to fail (retryable) or refuse (LifeEventNoticeRefused).
 */
export class ObservedNotifyAdapter {
  readonly notices: LifeEventNotice[] = [];
  readonly applied = new Map<string, number>();
  private failures = 0;
  private refuse = false;

  constructor(private readonly id: string) {}

  failNext(count: number): void {
    this.failures = count;
  }

  refuseAll(on: boolean): void {
    this.refuse = on;
  }

  adapter(): SourceAdapter {
    const unsupported = () => Promise.reject(new Error('not used by these tests'));
    return {
      describe: () => ({ id: this.id, name: this.id, categories: [] }),
      pullIdentities: unsupported,
      fetchDetails: unsupported,
      health: () => Promise.resolve({ status: 'up' }),
      notify: (notice: LifeEventNotice): Promise<LifeEventReceipt> => {
        this.notices.push(notice);
        if (this.refuse) return Promise.reject(new LifeEventNoticeRefused('HTTP 422: unknown person key'));
        if (this.failures > 0) {
          this.failures--;
          return Promise.reject(new Error(`source ${this.id}: HTTP 503`));
        }
        const seen = this.applied.has(notice.idempotencyKey);
        if (!seen) this.applied.set(notice.idempotencyKey, 1);
        return Promise.resolve({ outcome: seen ? 'already-applied' : 'applied', detail: 'record updated' });
      },
    };
  }
}
