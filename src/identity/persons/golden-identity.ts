import { IdentityFields } from '../../sources/identity-fields';
import { trustOrder } from '../../sources/source-declaration';
import { sourceDeclarations } from '../../sources/source-registry';
import { normaliseNhsNumber, normaliseNino } from '../matching/identifiers';

/** One source record's say about a person, as the golden identity weighs it. */
export interface RecordEvidence {
  source: string;
  sourceKey: string;
  /** When the source last confirmed or changed the record (ISO). */
  lastSeen: string;
  fields: IdentityFields;
  /** When its content last changed (ISO); `lastSeen` when not known. */
  changedAt?: string;
}

export type SurvivorshipRule = 'most-trusted' | 'most-recent' | 'most-frequent';

export interface GoldenValue<T> {
  value: T;
  source: string;
  sourceKey: string;
  rule: SurvivorshipRule;
  /** How many of the person's records hold this value, of how many that hold any. */
  agreeing: number;
  holding: number;
}

export interface GoldenIdentity {
  givenName?: GoldenValue<string>;
  middleNames?: GoldenValue<string>;
  familyName?: GoldenValue<string>;
  previousFamilyNames: string[];
  dateOfBirth?: GoldenValue<string>;
  sex?: GoldenValue<string>;
  nino?: GoldenValue<string>;
  nhsNumber?: GoldenValue<string>;
  address?: GoldenValue<{ uprn?: string; addressLines?: string[]; locality?: string; postcode?: string }>;
  phone?: GoldenValue<string>;
  email?: GoldenValue<string>;
  /** Set by a reported death (Tell Us Once): the person's `date_of_death`, not any source's. */
  dateOfDeath?: GoldenValue<string>;
}

/** Which source is trusted first for a field, by source id; sources not named come after, equally. */
export type SourceTrust = Partial<Record<'nino' | 'nhsNumber' | 'dateOfBirth', string[]>>;

/**
 * The sources' own trust ranks (their declarations: benefits claims are checked against DWP records, so
 * their NINOs are the most reliable; NHS numbers come to social care from the NHS spine). Councils can
 * reorder these (configuration) to suit their systems.
 */
export const DEFAULT_SOURCE_TRUST: SourceTrust = trustOrder(sourceDeclarations);

/**
 * The best current value of each identity field across a person's records, each with where it came from
 * and by which rule: identifiers from the most trusted source holding a valid one; names, date of birth and
 * sex by how many records agree (ties to the most recent); address, phone and email from the most recently
 * confirmed record, because people move and change numbers and the newest record is the likeliest right.
 */
export function goldenIdentity(
  records: RecordEvidence[],
  trust: SourceTrust = DEFAULT_SOURCE_TRUST,
  reported: readonly RecordEvidence[] = [],
): GoldenIdentity {
  const newestFirst = [...records].sort(
    (a, b) => b.lastSeen.localeCompare(a.lastSeen) || a.source.localeCompare(b.source),
  );
  const text = (pick: (f: IdentityFields) => string | undefined) => (r: RecordEvidence) =>
    pick(r.fields)?.trim() || undefined;
  // What a life event reported (a new name, a new address, a child's identity) wins over the records that
  // last changed before the report; records changed since (a source that applied it, or a later change)
  // are weighed with it as usual.
  const withReport = (holds: (f: IdentityFields) => unknown, ordered: RecordEvidence[] = newestFirst) => {
    const report = [...reported].filter((r) => holds(r.fields)).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen))[0];
    if (!report) return ordered;
    return [report, ...ordered.filter((r) => (r.changedAt ?? r.lastSeen) > report.lastSeen)];
  };
  return {
    givenName: mostFrequent(
      withReport((f) => f.givenName),
      text((f) => f.givenName),
      fold,
    ),
    middleNames: mostFrequent(
      withReport((f) => f.middleNames),
      text((f) => f.middleNames),
      fold,
    ),
    familyName: mostFrequent(
      withReport((f) => f.familyName),
      text((f) => f.familyName),
      fold,
    ),
    previousFamilyNames: [...new Set([...reported, ...newestFirst].flatMap((r) => r.fields.previousFamilyNames ?? []))],
    dateOfBirth: mostFrequent(
      withReport((f) => f.dateOfBirth, orderByTrust(newestFirst, trust.dateOfBirth)),
      text((f) => f.dateOfBirth),
      (v) => v,
    ),
    sex: mostFrequent(
      withReport((f) => f.sex),
      (r) => r.fields.sex,
      (v) => v,
    ),
    nino: mostTrusted(newestFirst, trust.nino, (r) => normaliseNino(r.fields.nino) ?? undefined),
    nhsNumber: mostTrusted(newestFirst, trust.nhsNumber, (r) => normaliseNhsNumber(r.fields.nhsNumber) ?? undefined),
    address: mostRecent(
      withReport((f) => f.uprn || f.addressLines?.length || f.postcode),
      (r) => {
        const { uprn, addressLines, locality, postcode } = r.fields;
        return uprn || addressLines?.length || postcode ? { uprn, addressLines, locality, postcode } : undefined;
      },
    ),
    phone: mostRecent(
      newestFirst,
      text((f) => f.phone),
    ),
    email: mostRecent(
      newestFirst,
      text((f) => f.email),
    ),
  };
}

/** The golden identity with the person's date of death, when one was reported. */
export function withDeath(golden: GoldenIdentity, dateOfDeath: string | undefined): GoldenIdentity {
  if (!dateOfDeath) return golden;
  const value = { value: dateOfDeath, source: 'hub', sourceKey: 'life-event', rule: 'most-trusted' as const };
  return { ...golden, dateOfDeath: { ...value, agreeing: 1, holding: 1 } };
}

const fold = (value: string) => value.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ');

function mostFrequent<T>(
  records: RecordEvidence[],
  read: (r: RecordEvidence) => T | undefined,
  key: (v: T) => string,
): GoldenValue<T> | undefined {
  const counts = new Map<string, { count: number; first: RecordEvidence; value: T }>();
  let holding = 0;
  for (const record of records) {
    const value = read(record);
    if (value === undefined) continue;
    holding++;
    const k = key(value);
    const entry = counts.get(k);
    if (entry) entry.count++;
    else counts.set(k, { count: 1, first: record, value });
  }
  // Map iteration keeps first-seen order (records come newest or most trusted first): ties go to it.
  let best: { count: number; first: RecordEvidence; value: T } | undefined;
  for (const entry of counts.values()) if (!best || entry.count > best.count) best = entry;
  return (
    best && {
      value: best.value,
      source: best.first.source,
      sourceKey: best.first.sourceKey,
      rule: 'most-frequent',
      agreeing: best.count,
      holding,
    }
  );
}

function mostTrusted<T>(
  records: RecordEvidence[],
  order: string[] | undefined,
  read: (r: RecordEvidence) => T | undefined,
): GoldenValue<T> | undefined {
  const found = mostRecent(orderByTrust(records, order), read);
  return found && { ...found, rule: 'most-trusted' };
}

function mostRecent<T>(
  records: RecordEvidence[],
  read: (r: RecordEvidence) => T | undefined,
): GoldenValue<T> | undefined {
  const holders = records
    .map((r) => ({ r, v: read(r) }))
    .filter((x): x is { r: RecordEvidence; v: T } => x.v !== undefined);
  if (holders.length === 0) return undefined;
  const { r, v } = holders[0];
  const same = holders.filter((h) => JSON.stringify(h.v) === JSON.stringify(v)).length;
  return {
    value: v,
    source: r.source,
    sourceKey: r.sourceKey,
    rule: 'most-recent',
    agreeing: same,
    holding: holders.length,
  };
}

function orderByTrust(records: RecordEvidence[], order: string[] | undefined): RecordEvidence[] {
  if (!order) return records;
  const rank = (source: string) => (order.includes(source) ? order.indexOf(source) : order.length);
  return [...records].sort((a, b) => rank(a.source) - rank(b.source));
}
