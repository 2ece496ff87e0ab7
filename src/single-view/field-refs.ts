import { sourceKnownRef } from '../access/policy/derived-fields';
import type { FieldRef } from '../access/policy/policy.types';
import { sourceDeclarations } from '../sources/source-registry';

/**
 * The agreement fields the single view releases beyond the sources' own (`source.category.field`, from the
 * adapters' describe()). Each is a line an agreement can list; nothing here is released by default.
 */
export const identityRef = (field: string): FieldRef => `hub.identity.${field}`;

/** Index data for data stewards: where each golden value came from, the linked records, why they were linked. */
export const INDEX_REFS = {
  provenance: 'hub.index.provenance',
  sourceRecords: 'hub.index.sourceRecords',
  matchExplanation: 'hub.index.matchExplanation',
} as const;

export const HOUSEHOLD_REFS = {
  /** That a person is a member of the household (and so who lives with whom). */
  members: 'hub.household.members',
  role: 'hub.household.role',
  /** When the membership started and ended. */
  period: 'hub.household.period',
  memberCount: 'hub.household.memberCount',
  /**
   * More than one council service involved with the household. It counts social care, so an agreement
   * listing it needs an Art. 9 condition, and it goes only where social care involvement may (DERIVED_FIELDS).
   */
  multipleServicesInvolved: 'hub.household.multipleServicesInvolved',
} as const;

/**
 * That a source knows the person at all (the index holds a live record of theirs there), without any of
 * the source's data. Named under the source, so social care involvement is special category like the rest
 * of social care.
 */
export const involvementRef: (source: string) => FieldRef = sourceKnownRef;

/** The live sources the single view shows, by GraphQL field (`socialCare` → `social-care`): as they declare. */
export const LIVE_SOURCES: Readonly<Record<string, string>> = Object.fromEntries(
  sourceDeclarations.map((source) => [source.graphql.field, source.id]),
);
export type LiveSourceId = string;

/** Whether a released ref is live data of `source` (fetched from it), rather than the hub's own knowledge of it. */
export function isLiveRef(ref: FieldRef, source: string): boolean {
  return ref.startsWith(`${source}.`) && ref !== involvementRef(source);
}
