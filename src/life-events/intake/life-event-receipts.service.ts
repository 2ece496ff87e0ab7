import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { invalidReport, lifeEventNotFound } from '../life-event.exception';
import { LIFE_EVENT_TYPES, LifeEventType } from '../life-event-rules';
import { EVENT_COLUMNS, EventDbRow, LifeEventRow, LifeEventStatus, toEvent } from './life-event-row';

export interface DeliveryReceipt {
  id: string;
  eventId: string;
  kind: string;
  recipientKind: string;
  recipient: string;
  status: string;
  attempts: number;
  lastError?: string;
  deliveredAt?: Date;
  outcome?: string;
  agreementId: string;
  agreementVersion: number;
  fields: string[];
}

export interface LifeEventFilter {
  status?: LifeEventStatus;
  type?: LifeEventType;
  personId?: string;
  reportedFrom?: Date;
  reportedBefore?: Date;
}

const STATUSES: readonly LifeEventStatus[] = ['AWAITING_MATCH', 'ACCEPTED', 'WITHDRAWN', 'REJECTED'];
export const MAX_PAGE = 100;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cursor of a page: the last event's report time and id, opaque to the caller. */
export const encodeCursor = (event: Pick<LifeEventRow, 'reportedAt' | 'id'>) =>
  Buffer.from(JSON.stringify([event.reportedAt.toISOString(), event.id])).toString('base64url');

function decodeCursor(cursor: string): [string, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    if (typeof at === 'string' && !Number.isNaN(Date.parse(at)) && uuid.test(id)) return [at, id];
  } catch {
    // falls through to the error below
  }
  throw invalidReport([{ field: 'after', message: 'is not a cursor this query returned' }]);
}

/** Receipts for the informant, the DPO and admins: events and each delivery's status (life_event_delivery). */
@Injectable()
export class LifeEventReceiptsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async get(id: string): Promise<LifeEventRow> {
    const [row]: EventDbRow[] = uuid.test(id)
      ? await this.dataSource.query(`select ${EVENT_COLUMNS} from life_event where id = $1`, [id])
      : [];
    if (!row) throw lifeEventNotFound('No life event has that id');
    return toEvent(row);
  }

  /** Newest first; `after` is the previous page's cursor. */
  async page(
    filter: LifeEventFilter,
    first: number,
    after?: string,
  ): Promise<{ items: LifeEventRow[]; nextCursor?: string }> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw invalidReport([{ field: 'first', message: `must be from 1 to ${MAX_PAGE}` }]);
    if (filter.status && !STATUSES.includes(filter.status))
      throw invalidReport([{ field: 'filter.status', message: `must be one of ${STATUSES.join(', ')}` }]);
    if (filter.type && !LIFE_EVENT_TYPES.includes(filter.type))
      throw invalidReport([{ field: 'filter.type', message: `must be one of ${LIFE_EVENT_TYPES.join(', ')}` }]);
    if (filter.personId && !uuid.test(filter.personId))
      throw invalidReport([{ field: 'filter.personId', message: 'must be a person id (UUID)' }]);
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const where: string[] = [];
    if (filter.status) where.push(`status = ${p(filter.status)}`);
    if (filter.type) where.push(`type = ${p(filter.type)}`);
    if (filter.personId)
      where.push(`(person_id = ${p(filter.personId)} or report -> 'parentIds' ? ${p(filter.personId.toLowerCase())})`);
    if (filter.reportedFrom) where.push(`reported_at >= ${p(filter.reportedFrom)}`);
    if (filter.reportedBefore) where.push(`reported_at < ${p(filter.reportedBefore)}`);
    if (after) {
      const [at, id] = decodeCursor(after);
      where.push(`(reported_at, id) < (${p(at)}::timestamptz, ${p(id)}::uuid)`);
    }
    const rows: EventDbRow[] = await this.dataSource.query(
      `select ${EVENT_COLUMNS} from life_event ${where.length ? `where ${where.join(' and ')}` : ''}
        order by reported_at desc, id desc limit ${first + 1}`,
      params,
    );
    const items = rows.slice(0, first).map(toEvent);
    return { items, ...(rows.length > first ? { nextCursor: encodeCursor(items[items.length - 1]) } : {}) };
  }

  /** Every delivery of these events, oldest first. */
  async deliveries(eventIds: readonly string[]): Promise<Map<string, DeliveryReceipt[]>> {
    const byEvent = new Map<string, DeliveryReceipt[]>(eventIds.map((id) => [id, []]));
    if (eventIds.length === 0) return byEvent;
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `select id::text, event_id::text, kind, recipient_kind, recipient, status, attempts, last_error, delivered_at, outcome,
              agreement_id, agreement_version, fields
         from life_event_delivery where event_id = any($1::uuid[])
        order by created_at, kind, recipient_kind, recipient`,
      [eventIds],
    );
    for (const r of rows)
      byEvent.get(String(r.event_id))?.push({
        id: String(r.id),
        eventId: String(r.event_id),
        kind: String(r.kind),
        recipientKind: String(r.recipient_kind),
        recipient: String(r.recipient),
        status: String(r.status),
        attempts: Number(r.attempts),
        ...(r.last_error ? { lastError: String(r.last_error) } : {}),
        ...(r.delivered_at ? { deliveredAt: new Date(r.delivered_at as string) } : {}),
        ...(r.outcome ? { outcome: String(r.outcome) } : {}),
        agreementId: String(r.agreement_id),
        agreementVersion: Number(r.agreement_version),
        fields: r.fields as string[],
      });
    return byEvent;
  }
}
