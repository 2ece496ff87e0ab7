import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditException } from '../audit.exception';
import { DISCLOSURE_DECISIONS } from './audit-search.service';

const DAY = 86_400_000;
/** The longest window one answer covers, in days: a year, leap day included. */
export const ACTIVITY_MAX_DAYS = 366;
/** The window when none is given. */
export const ACTIVITY_DEFAULT_DAYS = 30;

export interface ActivityWindow {
  /** The last `days` UTC days, today included. */
  days?: number | null;
  /** From this time (inclusive) to `to` (exclusive); both or neither. */
  from?: Date | null;
  to?: Date | null;
}

export interface ActivityCount {
  /** The organisation or purpose; null when the event had none (an anonymous actor, no purpose given). */
  name: string | null;
  disclosures: number;
}

export interface ActivityDay {
  /** The UTC day, `yyyy-mm-dd`. */
  day: string;
  disclosures: number;
  byOrganisation: ActivityCount[];
  byPurpose: ActivityCount[];
}

export interface AuditActivity {
  from: Date;
  to: Date;
  disclosures: number;
  /** Every UTC day of the window in order, days with no disclosure included. */
  days: ActivityDay[];
}

/**
 * A disclosure: an allowed event that named a person or a household, the DPO's own looks at the trail aside.
 * Parameter $3 is DISCLOSURE_DECISIONS.
 */
const DISCLOSURE = `decision = any($3) and not starts_with(operation, 'dpo.')
  and (cardinality(persons) > 0 or cardinality(households) > 0)`;

/**
 * Accesses over time for the DPO: disclosures per UTC day, by the organisation shown the data and by the
 * purpose given, counted by PostgreSQL in one aggregate (grouping sets over the window's rows, found by the
 * time index and the monthly partitions), so the answer is exact however many events the window holds.
 */
@Injectable()
export class AuditActivityService {
  constructor(private readonly dataSource: DataSource) {}

  async activity(window: ActivityWindow = {}, now = new Date()): Promise<AuditActivity> {
    const { from, to } = activityWindow(window, now);
    const rows: { day: string; by_purpose: number; name: string | null; n: number }[] = await this.dataSource.query(
      `select to_char(date_trunc('day', occurred_at at time zone 'UTC'), 'YYYY-MM-DD') as day,
              grouping(actor_organisation) as by_purpose,
              case when grouping(actor_organisation) = 0 then actor_organisation else purpose end as name,
              count(*)::int as n
         from audit_event
        where occurred_at >= $1 and occurred_at < $2 and ${DISCLOSURE}
        group by grouping sets ((date_trunc('day', occurred_at at time zone 'UTC'), actor_organisation),
                                (date_trunc('day', occurred_at at time zone 'UTC'), purpose))`,
      [from, to, DISCLOSURE_DECISIONS],
    );
    const days = dayList(from, to).map((day) => ({
      day,
      disclosures: 0,
      byOrganisation: [] as ActivityCount[],
      byPurpose: [] as ActivityCount[],
    }));
    const index = new Map(days.map((d, i) => [d.day, i]));
    for (const row of rows) {
      const day = days[index.get(row.day)!];
      if (row.by_purpose) day.byPurpose.push({ name: row.name, disclosures: row.n });
      else {
        day.byOrganisation.push({ name: row.name, disclosures: row.n });
        day.disclosures += row.n;
      }
    }
    const order = (a: ActivityCount, b: ActivityCount) =>
      b.disclosures - a.disclosures || String(a.name ?? '').localeCompare(String(b.name ?? ''));
    for (const day of days) {
      day.byOrganisation.sort(order);
      day.byPurpose.sort(order);
    }
    return { from, to, disclosures: days.reduce((total, d) => total + d.disclosures, 0), days };
  }
}

/** The window asked for: `days` ending today (UTC), or `from` and `to`; at most ACTIVITY_MAX_DAYS. */
export function activityWindow(window: ActivityWindow, now: Date): { from: Date; to: Date } {
  const { days, from, to } = window;
  const hasDays = days !== undefined && days !== null;
  const hasFrom = from !== undefined && from !== null;
  const hasTo = to !== undefined && to !== null;
  if (hasDays && (hasFrom || hasTo)) throw AuditException.badRequest('give either days, or from and to, not both');
  if (hasFrom !== hasTo) throw AuditException.badRequest('from and to must be given together');
  if (hasFrom) {
    for (const [key, value] of [
      ['from', from],
      ['to', to],
    ] as const)
      if (!(value instanceof Date) || Number.isNaN(value.getTime()))
        throw AuditException.badRequest(`${key} must be a date-time`);
    if (from! >= to!) throw AuditException.badRequest('from must be before to');
    if (to!.getTime() - from!.getTime() > ACTIVITY_MAX_DAYS * DAY)
      throw AuditException.badRequest(`the window must be at most ${ACTIVITY_MAX_DAYS} days`);
    return { from: from!, to: to! };
  }
  const n = hasDays ? days : ACTIVITY_DEFAULT_DAYS;
  if (!Number.isInteger(n) || n < 1 || n > ACTIVITY_MAX_DAYS)
    throw AuditException.badRequest(`days must be a whole number from 1 to ${ACTIVITY_MAX_DAYS}`);
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return { from: new Date(tomorrow - n * DAY), to: new Date(tomorrow) };
}

/** The UTC days a window touches, `yyyy-mm-dd`, in order. */
export function dayList(from: Date, to: Date): string[] {
  const first = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate());
  const days: string[] = [];
  for (let t = first; t < to.getTime(); t += DAY) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}
