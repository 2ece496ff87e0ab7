import { IdentityFields } from '../../sources/identity-fields';

/**
 * A child reported born (Tell Us Once) takes part in matching as a record of the hub's own: its reported
 * identity (`person_reported_identity`: name, date of birth, sex, the parent's address) is blocked, scored
 * and decided on exactly like a source record, by the same model and rules. In the matcher's working state
 * it goes by a record id of its own, the reported identity's id negated (`-42`), which no source record
 * has (their ids are positive bigints), so pairs and decisions keep one key space; the person directory
 * names a reported identity by the same id, so a match explanation's `via` points at it.
 */
export const REPORTED_SOURCE = 'hub';

export const reportedRecordId = (reportedIdentityId: string): string => `-${reportedIdentityId}`;

export const isReportedRecord = (recordId: string): boolean => recordId.startsWith('-');

/** The `person_reported_identity` id of a reported record id. */
export const reportedIdentityIdOf = (recordId: string): string => recordId.slice(1);

/** A reported identity offered to the matcher, with the person it belongs to. */
export interface ReportedRecord {
  /** The reported record id (`-` and the reported identity's id). */
  id: string;
  personId: string;
  eventId: string;
  fields: IdentityFields;
}

/**
 * Which reported identities take part: a child's reported birth (the hint the intake gives the child), not
 * withdrawn. A reported new name or address is about a person the sources already hold records of; it is
 * weighed in the golden identity but attracts no records.
 */
export const REPORTED_BIRTH_SQL = `x.withdrawn_at is null and x.household_hints @> '[{"kind": "reported-birth", "role": "child"}]'`;
