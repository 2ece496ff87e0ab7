import type { FieldRef } from '../../access/policy/policy.types';
import { identityRef } from '../field-refs';
import { badInput } from '../single-view.errors';
import type { SearchPeopleInput } from '../dto/search-people.input';
import type { SearchCriteria } from '../../identity/directory/person-search.index';

export const MAX_PAGE = 50;

/**
 * The search input checked and normalised: names trimmed (the first and last words of `name` unless given
 * separately), a real yyyy-mm-dd date, postcode and NINO in upper case without spaces. Anything malformed
 * is refused with a message naming it; nothing is guessed.
 */
export function toCriteria(input: SearchPeopleInput): { criteria: SearchCriteria; first: number; after?: string } {
  const words = (input.name ?? '').trim().split(/\s+/).filter(Boolean);
  const givenName = clean(input.givenName, 'givenName') ?? (words.length > 1 ? clean(words[0], 'name') : undefined);
  const familyName =
    clean(input.familyName, 'familyName') ?? (words.length > 0 ? clean(words.at(-1), 'name') : undefined);
  const criteria: SearchCriteria = {
    ...(givenName ? { givenName } : {}),
    ...(familyName ? { familyName } : {}),
  };
  if (input.dateOfBirth) {
    const dob = input.dateOfBirth.trim();
    const date = new Date(`${dob}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dob) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== dob) {
      throw badInput('dateOfBirth must be a real date written yyyy-mm-dd');
    }
    criteria.dateOfBirth = dob;
  }
  if (input.postcode) {
    const postcode = input.postcode.replace(/\s+/g, '').toUpperCase();
    if (!/^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/.test(postcode)) throw badInput('postcode is not a UK postcode');
    criteria.postcode = postcode;
  }
  if (input.nino) {
    const nino = input.nino.replace(/\s+/g, '').toUpperCase();
    if (!/^[A-Z]{2}[0-9]{6}[A-D]?$/.test(nino)) throw badInput('nino must be two letters, six digits and a letter A-D');
    criteria.nino = nino;
  }
  if (Object.keys(criteria).length === 0)
    throw badInput('Search by at least one of: name, dateOfBirth, postcode, nino');
  const first = input.first ?? 10;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw badInput(`first must be 1 to ${MAX_PAGE}`);
  return { criteria, first, ...(input.after ? { after: input.after } : {}) };
}

function clean(value: string | undefined, field: string): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (trimmed.length > 60 || !/^[\p{L}][\p{L}\p{M}' .-]*$/u.test(trimmed))
    throw badInput(`${field} must be letters (with ' . - and spaces), at most 60`);
  return trimmed;
}

/** The identity fields a search compares: what its score (or its mere match) says something about. */
export function criteriaRefs(criteria: SearchCriteria): FieldRef[] {
  return (Object.keys(criteria) as (keyof SearchCriteria)[])
    .filter((field) => criteria[field])
    .map((field) => identityRef(field));
}

/** Attributes that, with a family name, narrow a search down to one person or household. */
const IDENTIFYING = ['dateOfBirth', 'postcode', 'nino'] as const;

/**
 * For a caller who may learn only that a match exists: a family name and one more identifying attribute,
 * so that a search confirms someone the caller already knows, and never lists everyone born on a day or
 * living at a postcode.
 */
export function requireIdentifying(criteria: SearchCriteria): void {
  if (!criteria.familyName || !IDENTIFYING.some((field) => criteria[field])) {
    throw badInput(
      `Without a relationship to everyone it may find, a search needs a family name and one more of ${IDENTIFYING.join(', ')}`,
    );
  }
}

/** What a cursor is bound to: the same criteria, ranking mode, caller and purpose. */
export function cursorBinding(
  criteria: SearchCriteria,
  ranked: boolean,
  caller: { issuer?: string; organisation: string; subject: string },
  purpose: string,
): string {
  const fields = ['givenName', 'familyName', 'dateOfBirth', 'postcode', 'nino'] as const;
  return JSON.stringify([
    ranked ? 'ranked' : 'exact',
    fields.map((f) => criteria[f]?.toLowerCase() ?? null),
    caller.issuer ?? null,
    caller.organisation,
    caller.subject,
    purpose,
  ]);
}
