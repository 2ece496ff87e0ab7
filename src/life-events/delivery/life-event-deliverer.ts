import { Inject, Injectable, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditedField, AuditRecorder, recordEach } from '../../engine/audit-recorder';
import type { Principal } from '../../engine/principal';
import { HubKeyService } from '../../keys/hub-key.service';
import { HubMetrics, noHubMetrics } from '../../metrics/hub-metrics';
import { LifeEventNoticeRefused } from '../../sources/source-adapter';
import { SourceRegistry } from '../../sources/source-registry.service';
import { TELL_US_ONCE } from '../delivery-plan';
import type { DeliveryPayload } from './life-event-outbox';
import { toLifeEventNotice } from './source-notice';
import { postWebhook } from './webhook-sender';

/** The hub's own delivery work, as the audit trail names it. */
export const DELIVERY_ACTOR: Principal = { subject: 'system:life-event-delivery', organisation: 'hub', roles: [] };

/**
 * What one attempt came to, for the worker: `done` (delivered now or before, or cancelled: complete the
 * job), `deferred` (a retraction whose notice is still on its way: try again later, not counted as an
 * attempt), `failed` (retry with back-off; after the last attempt the job is dead-lettered).
 */
export type AttemptResult =
  | { result: 'done'; status: 'DELIVERED' | 'CANCELLED' | 'DEAD' | 'GONE' }
  | { result: 'deferred' }
  | { result: 'failed'; error: string };

interface DeliveryRow {
  id: string;
  event_id: string;
  kind: 'NOTICE' | 'RETRACTION';
  recipient_kind: 'source' | 'partner';
  recipient: string;
  organisation: string;
  agreement_id: string;
  agreement_version: number;
  fields: string[];
  payload: DeliveryPayload;
  idempotency_key: string;
  status: 'PENDING' | 'DELIVERED' | 'DEAD' | 'CANCELLED';
  attempts: number;
  event_status: string;
  event_type: string;
  person_id: string | null;
  notice_status: string | null;
  /** For a partner: its subscription's webhook address. */
  webhook_url: string | null;
  /** The attempt was counted (attempts + 1) as the row was read: it is to be sent. */
  counted: boolean;
}

type SendResult = { ok: true; outcome: string; detail?: string } | { ok: false; refused: boolean; error: string };

/** Deliveries made whose recording is waiting for the next group transaction. */
interface Made {
  row: DeliveryRow;
  outcome: string;
  detail?: string;
  resolve(status: 'DELIVERED' | 'GONE'): void;
  reject(error: unknown): void;
}

/** Deliveries recorded in one transaction, at most. */
const MAX_GROUP = 200;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** last_error is the hub's own words (a status, a code), capped. */
const MAX_ERROR = 300;

/**
 * One delivery attempt, from the outbox row to the recipient and back (docs/life-events.md):
 * idempotent (a delivered or cancelled row is left alone), so a job run twice (a worker killed after
 * sending, the job retried) sends at most again with the same idempotency key, which the recipient applies
 * once. Each outcome is recorded on the row; delivered and dead-lettered deliveries are audited with it.
 */
@Injectable()
export class LifeEventDeliverer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly keys: HubKeyService,
    private readonly sources: SourceRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  async attempt(deliveryId: string): Promise<AttemptResult> {
    if (!uuid.test(deliveryId)) return { result: 'done', status: 'GONE' };
    const row = await this.load(deliveryId);
    if (!row) return { result: 'done', status: 'GONE' };
    if (row.status !== 'PENDING') return { result: 'done', status: row.status };
    const kind = row.recipient_kind;

    // A notice for an event no longer accepted (withdrawn before it went): nothing to tell.
    if (row.kind === 'NOTICE' && row.event_status !== 'ACCEPTED') {
      await this.cancel(row, `the event is ${row.event_status.toLowerCase()}`);
      return { result: 'done', status: 'CANCELLED' };
    }
    if (row.kind === 'RETRACTION') {
      if (row.notice_status === 'PENDING') {
        this.metrics.lifeEventDelivery(kind, 'deferred', 0);
        return { result: 'deferred' };
      }
      if (row.notice_status !== 'DELIVERED') {
        await this.cancel(row, 'its notice was never delivered');
        return { result: 'done', status: 'CANCELLED' };
      }
    }

    // The attempt was counted as the row was read (load), when it is to be sent.
    if (!row.counted) return { result: 'done', status: 'GONE' };
    const started = Date.now();
    const sent = await this.send(row);
    const seconds = (Date.now() - started) / 1000;
    if (sent.ok) {
      const status = await this.delivered(row, sent.outcome, sent.detail);
      this.metrics.lifeEventDelivery(kind, 'delivered', seconds);
      return { result: 'done', status };
    }
    const error = sent.error.slice(0, MAX_ERROR);
    if (sent.refused) {
      await this.dead(row.id, error);
      this.metrics.lifeEventDelivery(kind, 'dead', seconds);
      return { result: 'done', status: 'DEAD' };
    }
    await this.dataSource.query(`update life_event_delivery set last_error = $2 where id = $1 and status = 'PENDING'`, [
      row.id,
      error,
    ]);
    this.metrics.lifeEventDelivery(kind, 'failed', seconds);
    return { result: 'failed', error };
  }

  /**
   * The delivery's job ran out of attempts (or its worker died on the last one): a delivery still pending is
   * dead-lettered, audited, and waits for `retryLifeEventDelivery`.
   */
  async deadLettered(deliveryId: string): Promise<boolean> {
    if (!uuid.test(deliveryId)) return false;
    const dead = await this.dead(deliveryId, undefined);
    if (dead) this.metrics.lifeEventDelivery(dead, 'dead', 0);
    return dead !== undefined;
  }

  /**
   * The row with what decides the attempt (its event's status; a retraction's notice's), read in the same
   * round trip that counts the attempt when it is to be sent (pending, and its event accepted or its notice
   * delivered): `counted`. The rows asked for in one turn of the event loop (a batch of jobs) are read in
   * one statement.
   */
  private load(id: string): Promise<DeliveryRow | undefined> {
    return new Promise((resolve, reject) => {
      this.toLoad.push({ id, resolve, reject });
      if (this.toLoad.length === 1) setImmediate(() => void this.loadAll(this.toLoad.splice(0)));
    });
  }

  private readonly toLoad: {
    id: string;
    resolve(row: DeliveryRow | undefined): void;
    reject(error: unknown): void;
  }[] = [];

  private async loadAll(
    wanted: { id: string; resolve(row: DeliveryRow | undefined): void; reject(error: unknown): void }[],
  ) {
    try {
      const rows = (await this.dataSource.query(
        `with d as (
           select d.id, d.event_id, d.kind, d.recipient_kind, d.recipient, d.organisation, d.agreement_id,
                  d.agreement_version, d.fields, d.payload, d.idempotency_key, d.status, d.attempts,
                  e.status as event_status, e.type as event_type, e.person_id,
                  n.status as notice_status,
                  case when d.recipient_kind = 'partner' then (
                    select s.webhook_url from life_event_subscription s
                    where s.recipient_kind = 'partner' and s.recipient = d.recipient and s.webhook_url is not null
                    order by (s.event_type = e.type) desc, s.active desc, s.created_at desc limit 1
                  ) end as webhook_url
           from life_event_delivery d
           join life_event e on e.id = d.event_id
           left join life_event_delivery n on d.kind = 'RETRACTION' and n.event_id = d.event_id and n.kind = 'NOTICE'
             and n.recipient_kind = d.recipient_kind and n.recipient = d.recipient
           where d.id = any($1::uuid[])
         ), counted as (
           update life_event_delivery x set attempts = x.attempts + 1, last_attempt_at = now()
           from d
           where x.id = d.id and x.status = 'PENDING'
             and ((d.kind = 'NOTICE' and d.event_status = 'ACCEPTED')
               or (d.kind = 'RETRACTION' and d.notice_status = 'DELIVERED'))
           returning x.id
         )
         select d.*, d.id in (select id from counted) as counted from d`,
        [[...new Set(wanted.map((w) => w.id))]],
      )) as DeliveryRow[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      // The same delivery twice in one batch (two jobs for it): the attempt is counted, and sent, once.
      const given = new Set<string>();
      for (const w of wanted) {
        const row = byId.get(w.id);
        w.resolve(row && given.has(w.id) ? { ...row, counted: false } : row);
        given.add(w.id);
      }
    } catch (error) {
      for (const w of wanted) w.reject(error);
    }
  }

  private async send(row: DeliveryRow): Promise<SendResult> {
    const timeoutMs = this.config.lifeEventDelivery.attemptTimeoutSeconds * 1000;
    return row.recipient_kind === 'source' ? this.notifySource(row, timeoutMs) : this.postToPartner(row, timeoutMs);
  }

  private async notifySource(row: DeliveryRow, timeoutMs: number): Promise<SendResult> {
    let adapter;
    try {
      adapter = await this.sources.adapter(row.recipient);
    } catch (error) {
      return { ok: false, refused: false, error: `source ${row.recipient}: ${message(error)}` };
    }
    if (!adapter.notify)
      return { ok: false, refused: true, error: `source ${row.recipient} does not take life events (no notify)` };
    const notice = toLifeEventNotice({ idempotencyKey: row.idempotency_key, kind: row.kind }, row.payload);
    let timer: NodeJS.Timeout | undefined;
    try {
      const receipt = await Promise.race([
        adapter.notify(notice),
        new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => reject(new AttemptTimeout(timeoutMs)), timeoutMs);
        }),
      ]);
      return { ok: true, outcome: receipt.outcome, detail: receipt.detail };
    } catch (error) {
      if (error instanceof LifeEventNoticeRefused)
        return { ok: false, refused: true, error: `source ${row.recipient} refused the notice: ${message(error)}` };
      return { ok: false, refused: false, error: `source ${row.recipient}: ${message(error)}` };
    } finally {
      clearTimeout(timer);
    }
  }

  private async postToPartner(row: DeliveryRow, timeoutMs: number): Promise<SendResult> {
    // The subscription's address (for the event's type first), read with the row.
    const address = row.webhook_url;
    if (!address) return { ok: false, refused: true, error: `partner ${row.recipient} has no webhook address` };
    return postWebhook(
      address,
      {
        deliveryId: row.id,
        idempotencyKey: row.idempotency_key,
        kind: row.kind,
        eventId: row.payload.eventId ?? row.event_id,
        type: row.payload.type,
        released: row.payload.released ?? {},
      },
      (payload, header) => this.keys.sign(payload, header),
      { timeoutMs, production: this.config.nodeEnv === 'production' },
    );
  }

  /**
   * Records a delivery made: DELIVERED, with its disclosure audited in the same transaction. Deliveries
   * made meanwhile are grouped into one transaction (the audit chain's lock is held to each commit, so one
   * commit per delivery would make the chain the limit); a failed group fails each of its attempts, which
   * are retried (the recipient then answers `already-applied`).
   */
  private delivered(row: DeliveryRow, outcome: string, detail?: string): Promise<'DELIVERED' | 'GONE'> {
    return new Promise((resolve, reject) => {
      this.madeQueue.push({ row, outcome, detail, resolve, reject });
      if (!this.flushing) this.flushing = this.flushMade().finally(() => (this.flushing = undefined));
    });
  }

  private readonly madeQueue: Made[] = [];
  private flushing?: Promise<void>;

  private async flushMade(): Promise<void> {
    while (this.madeQueue.length > 0) {
      const group = this.madeQueue.splice(0, MAX_GROUP);
      try {
        const done = await this.recordMade(group);
        for (const made of group) made.resolve(done.has(made.row.id) ? 'DELIVERED' : 'GONE');
      } catch (error) {
        for (const made of group) made.reject(error);
      }
    }
  }

  private recordMade(group: Made[]): Promise<Set<string>> {
    return this.dataSource.transaction(async (manager) => {
      const updated = (await manager.query(
        `update life_event_delivery d set status = 'DELIVERED', outcome = m.outcome, delivered_at = now(), last_error = null
         from unnest($1::uuid[], $2::text[]) as m(id, outcome)
         where d.id = m.id and d.status = 'PENDING' returning d.id`,
        [group.map((made) => made.row.id), group.map((made) => made.outcome.slice(0, 40))],
      )) as unknown;
      const done = new Set(rowsOf(updated).map((r) => (r as { id: string }).id));
      const made = group.filter((m) => done.has(m.row.id));
      await recordEach(
        this.audit,
        made.map(({ row, outcome, detail }) => ({
          actor: DELIVERY_ACTOR,
          operation: 'life-event.delivered',
          subjects: row.person_id ? { persons: [row.person_id] } : undefined,
          released: row.fields.map(auditedField),
          purpose: TELL_US_ONCE,
          agreement: { id: row.agreement_id, version: row.agreement_version },
          decision: 'allow' as const,
          detail: {
            deliveryId: row.id,
            eventId: row.event_id,
            kind: row.kind,
            recipientKind: row.recipient_kind,
            recipient: row.recipient,
            organisation: row.organisation,
            outcome,
            ...(detail ? { receipt: detail.slice(0, 200) } : {}),
          },
        })),
        manager,
      );
      return done;
    });
  }

  private async cancel(row: DeliveryRow, reason: string): Promise<void> {
    const cancelled = await this.dataSource.transaction(async (manager) => {
      const updated = await manager.query(
        `update life_event_delivery set status = 'CANCELLED', outcome = 'cancelled', last_error = $2
         where id = $1 and status = 'PENDING' returning id`,
        [row.id, reason],
      );
      if (affected(updated) === 0) return false;
      await this.audit.record(
        {
          actor: DELIVERY_ACTOR,
          operation: 'life-event.delivery-cancelled',
          subjects: row.person_id ? { persons: [row.person_id] } : undefined,
          purpose: TELL_US_ONCE,
          decision: 'change',
          reasons: [reason],
          detail: { deliveryId: row.id, eventId: row.event_id, kind: row.kind, recipient: row.recipient },
        },
        manager,
      );
      return true;
    });
    if (cancelled) this.metrics.lifeEventDelivery(row.recipient_kind, 'cancelled', 0);
  }

  /** PENDING → DEAD (with `error`, or the last one recorded), audited; the recipient kind when it was pending. */
  private async dead(id: string, error: string | undefined): Promise<'source' | 'partner' | undefined> {
    return this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `update life_event_delivery d set status = 'DEAD', last_error = coalesce($2, d.last_error, 'no attempt succeeded')
         from life_event e
         where d.id = $1 and d.status = 'PENDING' and e.id = d.event_id
         returning d.id, d.event_id, d.kind, d.recipient_kind, d.recipient, d.attempts, d.last_error, e.person_id`,
        [id, error ?? null],
      )) as [Record<string, unknown>[], number];
      const dead = rows[0]?.[0] as
        | {
            event_id: string;
            kind: string;
            recipient_kind: 'source' | 'partner';
            recipient: string;
            attempts: number;
            last_error: string;
            person_id: string | null;
          }
        | undefined;
      if (!dead) return undefined;
      await this.audit.record(
        {
          actor: DELIVERY_ACTOR,
          operation: 'life-event.delivery-dead',
          subjects: dead.person_id ? { persons: [dead.person_id] } : undefined,
          purpose: TELL_US_ONCE,
          decision: 'error',
          reasons: [dead.last_error],
          detail: {
            deliveryId: id,
            eventId: dead.event_id,
            kind: dead.kind,
            recipientKind: dead.recipient_kind,
            recipient: dead.recipient,
            attempts: dead.attempts,
          },
        },
        manager,
      );
      return dead.recipient_kind;
    });
  }
}

class AttemptTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'AttemptTimeout';
  }
}

/** `hub.lifeEvent.date` → { source: hub, field: lifeEvent.date }. */
export function auditedField(ref: string): AuditedField {
  const dot = ref.indexOf('.');
  return dot > 0 ? { source: ref.slice(0, dot), field: ref.slice(dot + 1) } : { source: 'hub', field: ref };
}

/** The rows of an `update … returning` (TypeORM's postgres driver answers `[rows, count]`). */
function rowsOf(result: unknown): unknown[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[0];
  return Array.isArray(result) ? result : [];
}

/** Rows an `update … returning` touched: TypeORM's postgres driver answers `[rows, count]`. */
function affected(result: unknown): number {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number')
    return result[1];
  return Array.isArray(result) ? result.length : 0;
}

function message(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').slice(0, 200);
}
