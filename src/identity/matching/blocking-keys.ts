import { PreparedRecord } from './types';

/**
 * Blocking keys: derived values that candidate pairs must share. Each has a plain-language definition so a
 * persistent index can store the same keys (computed by `blockingKeysOf`) in an indexed table and find
 * candidates with an equality join.
 */
export const BLOCKING_KEYS: Record<string, { definition: string; value: (r: PreparedRecord) => string | null }> = {
  nino: { definition: 'validated NINO stem (prefix and six digits)', value: (r) => r.nino },
  nhsNumber: { definition: 'validated NHS number', value: (r) => r.nhs },
  uprn: { definition: 'UPRN without leading zeros', value: (r) => r.uprn },
  dateOfBirth: { definition: 'date of birth, ISO yyyy-mm-dd', value: (r) => r.dob?.iso ?? null },
  birthYear: { definition: 'year of birth', value: (r) => (r.dob ? String(r.dob.y) : null) },
  givenInitial: { definition: 'first letter of the folded given name', value: (r) => r.given?.key[0] ?? null },
  givenMetaphone: {
    definition: 'primary double metaphone code of the folded given name',
    value: (r) => r.given?.metaphone[0] || null,
  },
  familyMetaphone: {
    definition: 'primary double metaphone code of the folded family name',
    value: (r) => r.family?.metaphone[0] || null,
  },
  nameMetaphones: {
    definition: 'primary double metaphone codes of given and family name, sorted (order-free, so swapped names agree)',
    value: (r) => {
      const g = r.given?.metaphone[0];
      const f = r.family?.metaphone[0];
      if (!g || !f) return null;
      return g < f ? `${g}|${f}` : `${f}|${g}`;
    },
  },
  postcode: {
    definition: 'normalised postcode (UK standard form, else upper case without spaces)',
    value: (r) => r.postcode?.full ?? null,
  },
  postcodeDistrict: {
    definition: 'UK postcode district (outward code), UK postcodes only',
    value: (r) => r.postcode?.district ?? null,
  },
  locality: { definition: 'folded locality', value: (r) => r.locality },
  email: { definition: 'lower-cased email address', value: (r) => r.email?.full ?? null },
  emailLocalPart: { definition: 'lower-cased email address before the @', value: (r) => r.email?.local ?? null },
  phone: { definition: 'phone digits, UK numbers in national form', value: (r) => r.phone },
};

export interface BlockingRule {
  name: string;
  /** Key names (from BLOCKING_KEYS) or `identifier:KEY`; a record is in the rule's block only if all are present. */
  keys: string[];
  /** Comparisons whose m this rule's pairs cannot estimate (they agree by construction or by geography). */
  excludes: string[];
  /**
   * Whether EM trains on this rule's pairs. Rules on where people live (and on family name with birth year,
   * which spouses share) find candidates but are not trained on: their pairs are mostly relatives, whom EM
   * would take for the same person.
   */
  train: boolean;
}

const ADDRESS = ['address'];

export const DEFAULT_BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'nino', keys: ['nino'], excludes: ['nino'], train: true },
  { name: 'nhs-number', keys: ['nhsNumber'], excludes: ['nhsNumber'], train: true },
  { name: 'date-of-birth', keys: ['dateOfBirth'], excludes: ['dateOfBirth'], train: true },
  {
    name: 'family-metaphone-birth-year',
    keys: ['familyMetaphone', 'birthYear'],
    excludes: ['familyName', 'dateOfBirth'],
    train: false,
  },
  {
    name: 'given-metaphone-birth-year',
    keys: ['givenMetaphone', 'birthYear'],
    excludes: ['givenName', 'dateOfBirth'],
    train: true,
  },
  {
    name: 'name-metaphones',
    keys: ['nameMetaphones'],
    excludes: ['givenName', 'familyName', 'middleNames'],
    train: true,
  },
  { name: 'postcode', keys: ['postcode'], excludes: ADDRESS, train: false },
  { name: 'uprn-given-initial', keys: ['uprn', 'givenInitial'], excludes: [...ADDRESS, 'givenName'], train: false },
  {
    name: 'given-metaphone-postcode-district',
    keys: ['givenMetaphone', 'postcodeDistrict'],
    excludes: ['givenName', ...ADDRESS],
    train: false,
  },
  {
    name: 'given-metaphone-locality',
    keys: ['givenMetaphone', 'locality'],
    excludes: ['givenName', ...ADDRESS],
    train: false,
  },
  {
    name: 'family-metaphone-locality',
    keys: ['familyMetaphone', 'locality'],
    excludes: ['familyName', ...ADDRESS],
    train: false,
  },
  { name: 'email', keys: ['email'], excludes: ['email'], train: true },
  // Local parts are usually built from the names, so names agree among the non-matches too.
  {
    name: 'email-local-part',
    keys: ['emailLocalPart'],
    excludes: ['email', 'givenName', 'familyName', 'middleNames'],
    train: true,
  },
  { name: 'phone', keys: ['phone'], excludes: ['phone'], train: true },
];

/** The default rules plus one per free-named identifier. */
export function blockingRulesFor(
  identifierKeys: readonly string[],
  base: readonly BlockingRule[] = DEFAULT_BLOCKING_RULES,
): BlockingRule[] {
  return [
    ...base,
    ...[...identifierKeys].sort().map((key) => ({
      name: `identifier-${key}`,
      keys: [`identifier:${key}`],
      excludes: [`identifier:${key}`],
      train: true,
    })),
  ];
}

export function blockingKey(rule: BlockingRule, r: PreparedRecord): string | null {
  let key = '';
  for (let i = 0; i < rule.keys.length; i++) {
    const v = keyPart(rule.keys[i], r);
    if (v === null || v === '') return null;
    key = i ? `${key}\u0001${v}` : v;
  }
  return key;
}

function keyPart(name: string, r: PreparedRecord): string | null {
  return name.startsWith('identifier:') ? (r.identifiers?.get(name.slice(11)) ?? null) : BLOCKING_KEYS[name].value(r);
}

/**
 * The values a rule's key is made of, one function per key name (`blockingKey` joins them; missing or
 * blank is null), for code that numbers keys without building their strings.
 */
export function blockingKeyParts(rule: BlockingRule): ((r: PreparedRecord) => string | null)[] {
  return rule.keys.map((name) => {
    if (name.startsWith('identifier:')) {
      const key = name.slice(11);
      return (r: PreparedRecord) => r.identifiers?.get(key) ?? null;
    }
    return BLOCKING_KEYS[name].value;
  });
}

/** Every (rule, key) of a record: what a persistent index stores to find candidates in SQL. */
export function blockingKeysOf(rules: readonly BlockingRule[], r: PreparedRecord): { rule: string; key: string }[] {
  const out: { rule: string; key: string }[] = [];
  for (const rule of rules) {
    const key = blockingKey(rule, r);
    if (key !== null) out.push({ rule: rule.name, key });
  }
  return out;
}

/** Order of records inside an oversized block, for the sorted-neighbourhood search. */
export function sortKeyOf(r: PreparedRecord): string {
  return `${r.family?.key ?? ''}\u0001${r.given?.key ?? ''}\u0001${r.dob?.iso ?? ''}\u0001${r.id}`;
}
