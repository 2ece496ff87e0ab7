import { auditDecisions, AuditDecision, operationPattern } from '../audit-content';
import { AuditException } from '../audit.exception';

/** What a DPO can search the trail by; every criterion narrows. */
export interface AuditEventFilter {
  personId?: string;
  householdId?: string;
  actorSubject?: string;
  organisation?: string;
  purpose?: string;
  decision?: string;
  /** An operation (`person.view`) or a class of them (`person.`). */
  operation?: string;
  breakGlassId?: string;
  caseReference?: string;
  from?: Date;
  to?: Date;
  fromSeq?: number;
  toSeq?: number;
}

const textCriteria = [
  ['personId', 'persons @> array[$]::text[]'],
  ['householdId', 'households @> array[$]::text[]'],
  ['actorSubject', 'actor_subject = $'],
  ['organisation', 'actor_organisation = $'],
  ['purpose', 'purpose = $'],
  ['breakGlassId', 'break_glass_id = $'],
  ['caseReference', 'case_reference = $'],
] as const;

/**
 * The SQL condition for a filter, with its parameters appended to `params`. Values only ever travel as
 * parameters. Throws AUDIT_BAD_REQUEST for a criterion that cannot be meant.
 */
export function filterCondition(filter: AuditEventFilter, params: unknown[]): string {
  const conditions: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('$', `$${params.length}`));
  };
  for (const [key, sql] of textCriteria) {
    const value = filter[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > 256)
      throw AuditException.badRequest(`${key} must be 1 to 256 characters`);
    add(sql, value);
  }
  if (filter.decision !== undefined && filter.decision !== null) {
    if (!(auditDecisions as readonly string[]).includes(filter.decision))
      throw AuditException.badRequest(`decision must be one of ${auditDecisions.join(', ')}`);
    add('decision = $', filter.decision as AuditDecision);
  }
  if (filter.operation !== undefined && filter.operation !== null) {
    const prefix = filter.operation.endsWith('.');
    if (!operationPattern.test(prefix ? filter.operation.slice(0, -1) : filter.operation)) {
      throw AuditException.badRequest('operation must be an operation such as person.view, or a class such as person.');
    }
    add(prefix ? 'starts_with(operation, $)' : 'operation = $', filter.operation);
  }
  for (const key of ['from', 'to'] as const) {
    const value = filter[key];
    if (value !== undefined && value !== null && !(value instanceof Date && !Number.isNaN(value.getTime())))
      throw AuditException.badRequest(`${key} must be a date-time`);
  }
  if (filter.from && filter.to && filter.from > filter.to) throw AuditException.badRequest('from must not be after to');
  if (filter.from) add('occurred_at >= $', filter.from);
  if (filter.to) add('occurred_at < $', filter.to);
  for (const key of ['fromSeq', 'toSeq'] as const) {
    const value = filter[key];
    if (value === undefined || value === null) continue;
    if (!Number.isSafeInteger(value) || value < 1)
      throw AuditException.badRequest(`${key} must be a positive whole number`);
    add(key === 'fromSeq' ? 'seq >= $' : 'seq <= $', value);
  }
  return conditions.length ? conditions.join(' and ') : 'true';
}

/** Opaque page cursors: the sequence number of the last event a page held. */
export function encodeCursor(seq: string | number): string {
  return Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^seq:(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  const seq = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(seq)) throw AuditException.badRequest('after is not a cursor this API gave out');
  return seq;
}

/** A page size: 1 to 500, 50 when not given. */
export function pageSize(first: number | undefined | null): number {
  if (first === undefined || first === null) return 50;
  if (!Number.isInteger(first) || first < 1 || first > 500)
    throw AuditException.badRequest('first must be between 1 and 500');
  return first;
}
