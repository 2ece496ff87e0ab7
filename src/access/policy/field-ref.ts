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

/** Social care data is special category whatever a catalogue says: the decision point fails closed on it. */
export const ALWAYS_SPECIAL_SOURCES: ReadonlySet<string> = new Set(['social-care']);
