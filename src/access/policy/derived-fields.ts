import { ALWAYS_SPECIAL_SOURCES } from './field-ref';
import type { Decision, FieldRef } from './policy.types';

/**
 * How a hub field is derived from the source systems' records, when it is:
 * - `per-entry`: a list whose every entry comes from one source (a linked record, the provenance of a
 *   golden value, a team of a service); entries from a special-category source go only where facts about
 *   that source may go (see `DerivedSource`), the others go with the field;
 * - `whole`: one value computed over every source (a count or flag); withheld whole unless facts about
 *   every special-category source may go.
 */
export type Derivation = 'per-entry' | 'whole';

/**
 * The hub's own fields that are derived from the sources and so may carry special-category facts: a
 * social care record key, the name of a social care team, a flag that counts social care. Each is special
 * category: an agreement listing one needs an Art. 9 condition (checked when the agreement is saved, and
 * again by the decision point for agreements saved before the rule).
 */
export const DERIVED_FIELDS: ReadonlyMap<FieldRef, Derivation> = new Map<FieldRef, Derivation>([
  ['hub.caseload.team', 'per-entry'],
  ['hub.index.provenance', 'per-entry'],
  ['hub.index.sourceRecords', 'per-entry'],
  ['hub.index.matchExplanation', 'per-entry'],
  ['hub.household.multipleServicesInvolved', 'whole'],
]);

/**
 * That a source knows the person at all, without any of its data: the least a fact derived from the source
 * says. Named under the source, so a special-category source's is special category too.
 */
export const sourceKnownRef = (source: string): FieldRef => `${source}.involvement.known`;

/**
 * The sources holding special-category data: social care always, and any source the catalogue names, whole
 * or by one of its categories (a record key or a team does not say which category it is about, so one
 * special category makes everything derived from the source special).
 */
export function specialSources(catalogue: readonly string[]): string[] {
  return [...new Set([...ALWAYS_SPECIAL_SOURCES, ...catalogue.map((entry) => entry.split('.')[0])])].sort();
}

/**
 * Whether an entry derived from `source` goes with the derived field a decision released. Fails closed: an
 * always-special source the decision does not speak about is withheld.
 */
export function releasesDerivedFrom(decision: Decision, source: string): boolean {
  const ruling = decision.derivedSources?.find((d) => d.source === source);
  if (ruling) return ruling.released;
  return !ALWAYS_SPECIAL_SOURCES.has(source);
}
