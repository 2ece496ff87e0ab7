import type { EntityManager } from 'typeorm';
import type { Principal } from '../../engine/principal';
import type { LifeEventReport, LifeEventType } from '../life-event-rules';

export type LifeEventStatus = 'AWAITING_MATCH' | 'ACCEPTED' | 'WITHDRAWN' | 'REJECTED';
export type Db = EntityManager;

/** A `life_event` row as the life-events module reads it. */
export interface LifeEventRow {
  id: string;
  type: LifeEventType;
  status: LifeEventStatus;
  personId: string | null;
  date: string;
  evidenceReference: string;
  report: LifeEventReport;
  sameEventKey: string | null;
  matchReview: { candidates: { personId: string; score: number }[] } | null;
  reportedBy: ReportedBy;
  reportedAt: Date;
  decidedBy: { subject: string; note?: string } | null;
  decidedAt: Date | null;
  withdrawnBy: { subject: string } | null;
  withdrawnAt: Date | null;
  withdrawalReason: string | null;
  notDelivered: string[];
}

/** Who reported an event: enough to answer for it, nothing of their token. */
export interface ReportedBy {
  subject: string;
  organisation: string;
  team?: string;
}

export const reporter = (actor: Principal): ReportedBy => ({
  subject: actor.subject,
  organisation: actor.organisation,
  ...(actor.team ? { team: actor.team } : {}),
});

export const EVENT_COLUMNS = `id::text, type, status, person_id::text, to_char(occurred_on, 'YYYY-MM-DD') as occurred_on,
  evidence_reference, report, same_event_key, match_review, reported_by, reported_at, decided_by, decided_at,
  withdrawn_by, withdrawn_at, withdrawal_reason, not_delivered`;

export interface EventDbRow {
  id: string;
  type: LifeEventType;
  status: LifeEventStatus;
  person_id: string | null;
  occurred_on: string;
  evidence_reference: string;
  report: LifeEventReport;
  same_event_key: string | null;
  match_review: LifeEventRow['matchReview'];
  reported_by: ReportedBy;
  reported_at: Date;
  decided_by: LifeEventRow['decidedBy'];
  decided_at: Date | null;
  withdrawn_by: LifeEventRow['withdrawnBy'];
  withdrawn_at: Date | null;
  withdrawal_reason: string | null;
  not_delivered: string[];
}

export function toEvent(row: EventDbRow): LifeEventRow {
  return {
    id: row.id,
    type: row.type,
    status: row.status,
    personId: row.person_id,
    date: row.occurred_on,
    evidenceReference: row.evidence_reference,
    report: row.report,
    sameEventKey: row.same_event_key,
    matchReview: row.match_review,
    reportedBy: row.reported_by,
    reportedAt: new Date(row.reported_at),
    decidedBy: row.decided_by,
    decidedAt: row.decided_at ? new Date(row.decided_at) : null,
    withdrawnBy: row.withdrawn_by,
    withdrawnAt: row.withdrawn_at ? new Date(row.withdrawn_at) : null,
    withdrawalReason: row.withdrawal_reason,
    notDelivered: row.not_delivered ?? [],
  };
}

export async function loadEvent(db: Db, id: string, lock = false): Promise<LifeEventRow | undefined> {
  const [row]: EventDbRow[] = await db.query(
    `select ${EVENT_COLUMNS} from life_event where id = $1${lock ? ' for update' : ''}`,
    [id],
  );
  return row ? toEvent(row) : undefined;
}

/** The persons an event is about: its person (for a birth, the child) and, for a birth, the parents. */
export function eventPersons(event: Pick<LifeEventRow, 'personId' | 'report'>): string[] {
  return [...new Set([...(event.personId ? [event.personId] : []), ...(event.report.parentIds ?? [])])];
}
