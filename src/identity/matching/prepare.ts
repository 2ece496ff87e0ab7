import { doubleMetaphone } from 'double-metaphone';
import { addressTokens } from './address';
import { normaliseEmail, normalisePhone } from './contact';
import { normaliseIdentifier, normaliseNhsNumber, normaliseNino, normaliseUprn } from './identifiers';
import { normaliseName } from './names';
import { nicknameGroups } from './nicknames';
import { normalisePostcode } from './postcodes';
import { KeyTable } from './key-table';
import { foldText, letterMask } from './text';
import { MatchRecord, PreparedName, PreparedRecord } from './types';

type PreparedAddress = Pick<PreparedRecord, 'address' | 'addressWeights' | 'addressMasks' | 'addressKey'>;

const NO_ADDRESS: PreparedAddress = { address: null, addressWeights: null, addressMasks: null, addressKey: null };
/** One empty list for every record without family name parts or previous names (never written to). */
const NONE: string[] = [];

/**
 * The equal parts of one batch's prepared records, made once and shared: a name, a date of birth, a
 * postcode, an address (its tokens, weights and masks) or a town that several records hold is one object or
 * string in memory. Nothing changes a prepared record's parts after preparing except the address weights,
 * which depend only on the tokens (`TermFrequencies.annotate` writes the same values into a shared address).
 * A million records take about a third of the memory they take unshared. One batch only: the parts of
 * another batch (or model) are not mixed in.
 */
export class PreparedParts {
  private readonly strings = new Memo<string>();
  private readonly names = new Memo<PreparedName>();
  private readonly dates = new Memo<PreparedRecord['dob']>();
  private readonly postcodes = new Memo<PreparedRecord['postcode']>();
  private readonly addresses = new Memo<PreparedAddress>();

  string(value: string): string {
    return this.strings.once(value, () => value);
  }

  name(tokens: string[]): PreparedName {
    return this.names.once(tokens.join(' '), () => preparedName(tokens.map((t) => this.string(t))));
  }

  date(value: string | undefined): PreparedRecord['dob'] {
    return value ? this.dates.once(value, () => parseIsoDate(value)) : null;
  }

  postcode(value: string | undefined): PreparedRecord['postcode'] {
    return value ? this.postcodes.once(value, () => normalisePostcode(value)) : null;
  }

  address(tokens: string[]): PreparedAddress {
    return this.addresses.once(tokens.join(' '), () => preparedAddress(tokens.map((t) => this.string(t))));
  }
}

/**
 * Values made once per key: the key's number in a `KeyTable` (cheaper than a `Map` once it holds hundreds
 * of thousands of keys, as the strings and addresses of a million records do) indexes the values made.
 */
class Memo<V> {
  private readonly keys = new KeyTable(1);
  private readonly made: V[] = [];
  private readonly key: string[] = [''];

  /** The value kept under `key`, made by `make` the first time (a value made as null is kept too). */
  once(key: string, make: () => V): V {
    this.key[0] = key;
    const id = this.keys.id(this.key);
    if (id < this.made.length) return this.made[id];
    const value = make();
    this.made.push(value);
    return value;
  }
}

/**
 * Invalid values (a NINO with a banned prefix, an NHS number failing its check digit) become missing.
 * With `parts`, equal parts of a batch's records are shared (see `PreparedParts`); the values are the same.
 */
export function prepareRecord(record: MatchRecord, index = -1, parts?: PreparedParts): PreparedRecord {
  const f = record.fields;
  const givenRaw = normaliseName(f.givenName);
  const familyRaw = normaliseName(f.familyName);
  const middleRaw = normaliseName(f.middleNames);
  const address = f.addressLines?.length ? addressTokens(f.addressLines) : [];
  const identifiers = new Map<string, string>();
  for (const [key, value] of Object.entries(f.identifiers ?? {})) {
    const normalised = normaliseIdentifier(value);
    if (normalised) identifiers.set(key, normalised);
  }
  const locality = f.locality ? foldText(f.locality) : '';
  const name = (tokens: string[]) => (parts ? parts.name(tokens) : preparedName(tokens));
  const family = familyRaw ? name(familyRaw.tokens) : null;
  const generation = familyRaw?.generation ?? givenRaw?.generation ?? null;
  const addressParts = !address.length ? NO_ADDRESS : parts ? parts.address(address) : preparedAddress(address);
  const previousFamilies = (f.previousFamilyNames ?? []).map((n) => normaliseName(n)?.key ?? '').filter(Boolean);
  return {
    index,
    source: record.source,
    id: record.id,
    given: givenRaw ? name(givenRaw.tokens) : null,
    middle: middleRaw ? name(middleRaw.tokens) : null,
    family,
    familyParts: family && family.tokens.length > 1 ? family.tokens : NONE,
    previousFamilies: previousFamilies.length ? previousFamilies : NONE,
    generation: generation && parts ? parts.string(generation) : generation,
    dob: parts ? parts.date(f.dateOfBirth) : parseIsoDate(f.dateOfBirth),
    sex: f.sex === 'F' || f.sex === 'M' ? f.sex : null,
    nino: normaliseNino(f.nino),
    nhs: normaliseNhsNumber(f.nhsNumber),
    uprn: normaliseUprn(f.uprn),
    postcode: parts ? parts.postcode(f.postcode) : normalisePostcode(f.postcode),
    address: addressParts.address,
    addressWeights: addressParts.addressWeights,
    addressMasks: addressParts.addressMasks,
    addressKey: addressParts.addressKey,
    locality: locality ? (parts ? parts.string(locality) : locality) : null,
    email: normaliseEmail(f.email),
    phone: normalisePhone(f.phone),
    identifiers: identifiers.size ? identifiers : null,
  };
}

function preparedAddress(tokens: string[]): PreparedAddress {
  return {
    address: tokens,
    addressWeights: new Float64Array(tokens.length).fill(1),
    addressMasks: Int32Array.from(tokens, letterMask),
    addressKey: [...tokens].sort().join(' '),
  };
}

const metaphoneCache = new Map<string, [string, string]>();

function preparedName(tokens: string[]): PreparedName {
  const key = tokens.join('');
  let metaphone = metaphoneCache.get(key);
  if (!metaphone) {
    metaphone = doubleMetaphone(key);
    // Bounded: a cache of common names, not of every typo in a million records.
    if (metaphoneCache.size < 200_000) metaphoneCache.set(key, metaphone);
  }
  return { tokens, key, first: tokens[0], metaphone, nicknames: nicknameGroups(tokens[0]), letters: letterMask(key) };
}

export function parseIsoDate(value: string | undefined | null): PreparedRecord['dob'] {
  if (!value) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!match) return null;
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return null;
  return { y, m, d, iso: match[0] };
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}
