import { specialCategoryRefs } from '../../sources/source-declaration';
import { sourceDeclarations } from '../../sources/source-registry';
import type { FieldRef } from './policy.types';

const fieldRefPattern = /^([a-z][a-z0-9-]{0,62})\.([a-z][a-zA-Z0-9-]{0,62})\.([a-z][a-zA-Z0-9]{0,62})$/;

export interface ParsedFieldRef {
  source: string;
  category: string;
  field: string;
}

/** `source.category.field`, or undefined when the text is not one. */
export function parseFieldRef(ref: FieldRef): ParsedFieldRef | undefined {
  const match = fieldRefPattern.exec(ref);
  return match ? { source: match[1], category: match[2], field: match[3] } : undefined;
}

/** The hub's own identity data is named under source `hub`. */
export const HUB_SOURCE = 'hub';

/**
 * Fields that say only that the hub knows a person and which team holds the case: what a search may
 * answer to staff without a relationship to that person. Still released only when an agreement lists them.
 */
export const EXISTENCE_FIELDS: ReadonlySet<FieldRef> = new Set(['hub.match.exists', 'hub.caseload.team']);

/**
 * Sources whose data is special category as a whole, even that they know a person (social care), as they
 * declare: the decision point fails closed on them whatever a catalogue says.
 */
export const ALWAYS_SPECIAL_SOURCES: ReadonlySet<string> = new Set(
  sourceDeclarations.filter((source) => source.specialCategory === 'whole').map((source) => source.id),
);

/**
 * Each category the sources declare special category (`source.category`, e.g. special educational needs):
 * releasing any of its fields needs an Art. 9 condition. What is derived from such a source (its record
 * keys, that it knows the person) is not special unless the whole source is.
 */
export const SPECIAL_CATEGORIES: ReadonlySet<string> = new Set(specialCategoryRefs(sourceDeclarations));

/** Whether a field is special-category data by the sources' declarations. */
export function declaredSpecial(parsed: ParsedFieldRef): boolean {
  return ALWAYS_SPECIAL_SOURCES.has(parsed.source) || SPECIAL_CATEGORIES.has(`${parsed.source}.${parsed.category}`);
}
