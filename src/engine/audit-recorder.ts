import type { EntityManager } from 'typeorm';
import type { Principal } from './principal';

/** A field of a source (or of the hub's own identity data, source `hub`) named in an audit event. */
export interface AuditedField {
  source: string;
  field: string;
}

/**
 * What an audit event says. Names of fields, never their values. The audit module fills in sequence,
 * time and the hash chain.
 */
export interface AuditEventInput {
  /** Who acted; absent for an anonymous request (a failed sign-in). */
  actor?: Principal;
  /** e.g. `person.view`, `household.view`, `search`, `agreement.create`, `consent.record`, `auth.failure`. */
  operation: string;
  subjects?: { persons?: string[]; households?: string[] };
  released?: AuditedField[];
  withheld?: AuditedField[];
  purpose?: string;
  caseReference?: string;
  agreement?: { id: string; version: number };
  /** The lawful basis (and Art. 9 condition) the disclosure rests on. */
  basis?: string;
  /** The consent, relationship or break-glass grant that justified it. */
  justification?: { consentId?: string; relationshipId?: string; breakGlassId?: string };
  decision: 'allow' | 'allow-with-redactions' | 'deny' | 'error' | 'change';
  reasons?: string[];
  requestId?: string;
  /** Anything else worth keeping (never personal data values). */
  detail?: Record<string, unknown>;
}

/**
 * The port through which every module writes the audit trail. Implemented by the audit module. Fail
 * closed: `record` throws when the event cannot be written, and callers then release nothing. Pass the
 * transaction's entity manager to commit the event with the change it records.
 */
export abstract class AuditRecorder {
  abstract record(event: AuditEventInput, manager?: EntityManager): Promise<{ seq: string; hash: string }>;

  /**
   * Several events, in order, all or none (fail closed as `record`), in one append: for work that records
   * many changes in one transaction (the life-event deliveries made meanwhile). Optional: a recorder
   * without it is given the events one by one (`recordEach`).
   */
  recordAll?(events: readonly AuditEventInput[], manager?: EntityManager): Promise<{ seq: string; hash: string }[]>;
}

/** `events` through `recorder.recordAll` when it has one, else one `record` after another. */
export async function recordEach(
  recorder: AuditRecorder,
  events: readonly AuditEventInput[],
  manager?: EntityManager,
): Promise<{ seq: string; hash: string }[]> {
  if (recorder.recordAll) return recorder.recordAll(events, manager);
  const receipts: { seq: string; hash: string }[] = [];
  for (const event of events) receipts.push(await recorder.record(event, manager));
  return receipts;
}
