import { Injectable } from '@nestjs/common';
import { AgreementsService } from '../../access/agreements/agreements.service';
import { parseFieldRef } from '../../access/policy/field-ref';
import type { AgreementFact, FieldRef } from '../../access/policy/policy.types';
import { AuditRecorder } from '../../engine/audit-recorder';
import type { Principal } from '../../engine/principal';
import type { DeliveryPayload } from '../delivery/life-event-outbox';
import { LifeEventOutbox } from '../delivery/life-event-outbox';
import { deliveryKey, planDeliveries, releasedPayload, Subscription, TELL_US_ONCE } from '../delivery-plan';
import { Db, eventPersons, LifeEventRow } from './life-event-row';

/** What an event's deliveries are made from: every field it has, and each source's keys for its persons. */
export interface EventContent {
  /** Every field the event has, by field ref (`hub.lifeEvent.*`, `hub.identity.*`). */
  values: Record<FieldRef, unknown>;
  /** Source id → that source's own keys for the person (for a birth: the parents). */
  sourceKeys: Map<string, string[]>;
}

interface DeliveryRow {
  id: string;
  recipient_kind: 'source' | 'partner';
  recipient: string;
  organisation: string;
  agreement_id: string;
  agreement_version: number;
  fields: string[];
  payload: DeliveryPayload;
}

const audited = (ref: FieldRef) => {
  const parsed = parseFieldRef(ref);
  return parsed
    ? { source: parsed.source, field: `${parsed.category}.${parsed.field}` }
    : { source: 'unknown', field: ref };
};

/**
 * The transactional outbox's writer: in the caller's transaction, one `life_event_delivery` row per
 * recipient (its payload fixed under its agreement), one disclosure audit event per row (agreement, version,
 * released fields, recipient), and their jobs (LifeEventOutbox.enqueue). All commit with the event or none.
 */
@Injectable()
export class LifeEventFanOut {
  constructor(
    private readonly agreements: AgreementsService,
    private readonly outbox: LifeEventOutbox,
    private readonly audit: AuditRecorder,
  ) {}

  /**
   * The notices of an accepted event: to each subscriber an agreement in force lets receive it; a source only
   * when it holds a record of the person (it is sent its own keys). Returns who was not told, and why.
   */
  async notices(
    db: Db,
    event: LifeEventRow,
    content: EventContent,
    actor: Principal,
    requestId?: string,
  ): Promise<string[]> {
    const subscriptions = await this.subscriptions(db, event);
    const agreements = await this.agreementsFor(subscriptions);
    const plan = planDeliveries(event, 'notice', subscriptions, agreements, new Date());
    const notDelivered = plan.skipped.map((s) => `${s.recipient}: ${s.reason}`);
    const organisations = new Map(subscriptions.map((s) => [`${s.recipientKind}:${s.recipient}`, s.organisation]));
    const rows: DeliveryRow[] = [];
    for (const delivery of plan.deliveries) {
      const who = `${delivery.recipientKind}:${delivery.recipient}`;
      const keys = delivery.recipientKind === 'source' ? content.sourceKeys.get(delivery.recipient) : undefined;
      if (delivery.recipientKind === 'source' && !keys?.length) {
        notDelivered.push(`${who}: holds no record of the person`);
        continue;
      }
      const payload: DeliveryPayload = {
        eventId: event.id,
        type: event.type,
        released: releasedPayload(delivery.fields, content.values),
        ...(keys ? { sourceKeys: keys } : {}),
      };
      const [row]: DeliveryRow[] = await db.query(
        `insert into life_event_delivery (event_id, kind, recipient_kind, recipient, organisation, agreement_id,
                                          agreement_version, fields, payload, idempotency_key)
         values ($1, 'NOTICE', $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (event_id, kind, recipient_kind, recipient) do nothing
         returning id::text, recipient_kind, recipient, organisation, agreement_id, agreement_version, fields, payload`,
        [
          event.id,
          delivery.recipientKind,
          delivery.recipient,
          organisations.get(who),
          delivery.agreement.id,
          delivery.agreement.version,
          delivery.fields,
          JSON.stringify(payload),
          delivery.idempotencyKey,
        ],
      );
      if (row) rows.push(row);
    }
    await this.record(db, event, 'NOTICE', rows, actor, requestId);
    return notDelivered;
  }

  /**
   * A withdrawn event's retractions: one to every recipient that has a notice (delivered or not: the
   * delivery workers cancel a retraction whose notice never went), with the notice's payload, under the
   * same agreement version.
   */
  async retractions(db: Db, event: LifeEventRow, actor: Principal, requestId?: string): Promise<number> {
    const notices: DeliveryRow[] = await db.query(
      `select id::text, recipient_kind, recipient, organisation, agreement_id, agreement_version, fields, payload
         from life_event_delivery where event_id = $1 and kind = 'NOTICE' order by recipient_kind, recipient`,
      [event.id],
    );
    const rows: DeliveryRow[] = [];
    for (const notice of notices) {
      const [row]: DeliveryRow[] = await db.query(
        `insert into life_event_delivery (event_id, kind, recipient_kind, recipient, organisation, agreement_id,
                                          agreement_version, fields, payload, idempotency_key)
         values ($1, 'RETRACTION', $2, $3, $4, $5, $6, $7, $8, $9)
         on conflict (event_id, kind, recipient_kind, recipient) do nothing
         returning id::text, recipient_kind, recipient, organisation, agreement_id, agreement_version, fields, payload`,
        [
          event.id,
          notice.recipient_kind,
          notice.recipient,
          notice.organisation,
          notice.agreement_id,
          notice.agreement_version,
          notice.fields,
          JSON.stringify(notice.payload),
          deliveryKey(event.id, 'retraction', `${notice.recipient_kind}:${notice.recipient}`),
        ],
      );
      if (row) rows.push(row);
    }
    await this.record(db, event, 'RETRACTION', rows, actor, requestId);
    return rows.length;
  }

  /** One disclosure event per delivery, then the jobs: in the caller's transaction. */
  private async record(
    db: Db,
    event: LifeEventRow,
    kind: 'NOTICE' | 'RETRACTION',
    rows: readonly DeliveryRow[],
    actor: Principal,
    requestId?: string,
  ): Promise<void> {
    for (const row of rows) {
      await this.audit.record(
        {
          actor,
          operation: kind === 'NOTICE' ? 'life-event.disclose' : 'life-event.retract',
          subjects: { persons: eventPersons(event) },
          released: row.fields.map(audited),
          purpose: TELL_US_ONCE,
          agreement: { id: row.agreement_id, version: row.agreement_version },
          decision: 'allow',
          reasons: [
            `${kind === 'NOTICE' ? 'life event' : 'retraction of a life event'} (${event.type}) to ${row.recipient_kind} ${row.recipient} of ${row.organisation} under agreement ${row.agreement_id} v${row.agreement_version}`,
          ],
          ...(requestId ? { requestId } : {}),
          detail: {
            eventId: event.id,
            deliveryId: row.id,
            kind,
            recipientKind: row.recipient_kind,
            recipient: row.recipient,
            organisation: row.organisation,
          },
        },
        db,
      );
    }
    await this.outbox.enqueue(
      db,
      rows.map((row) => row.id),
    );
  }

  private async subscriptions(db: Db, event: LifeEventRow): Promise<Subscription[]> {
    const rows: { recipient_kind: 'source' | 'partner'; recipient: string; organisation: string }[] = await db.query(
      `select recipient_kind, recipient, organisation from life_event_subscription
        where active and event_type = $1 order by recipient_kind desc, recipient`,
      [event.type],
    );
    return rows.map((r) => ({
      recipientKind: r.recipient_kind,
      recipient: r.recipient,
      organisation: r.organisation,
      eventType: event.type,
      active: true,
    }));
  }

  private async agreementsFor(subscriptions: readonly Subscription[]): Promise<AgreementFact[]> {
    const organisations = [...new Set(subscriptions.map((s) => s.organisation))];
    const lists = await Promise.all(organisations.map((organisation) => this.agreements.factsFor(organisation)));
    const unique = new Map<string, AgreementFact>();
    for (const agreement of lists.flat()) unique.set(`${agreement.id}@${agreement.version}`, agreement);
    return [...unique.values()];
  }
}
