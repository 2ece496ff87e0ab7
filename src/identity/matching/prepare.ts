import { doubleMetaphone } from 'double-metaphone';
import { addressTokens, letterMask } from './address';
import { normaliseEmail, normalisePhone } from './contact';
import { normaliseIdentifier, normaliseNhsNumber, normaliseNino, normaliseUprn } from './identifiers';
import { normaliseName } from './names';
import { nicknameGroups } from './nicknames';
import { normalisePostcode } from './postcodes';
import { foldText } from './text';
import { MatchRecord, PreparedName, PreparedRecord } from './types';

/** Invalid values (a NINO with a banned prefix, an NHS number failing its check digit) become missing. */
export function prepareRecord(record: MatchRecord, index = -1): PreparedRecord {
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
  return {
    index,
    source: record.source,
    id: record.id,
    given: givenRaw ? preparedName(givenRaw.tokens) : null,
    middle: middleRaw ? preparedName(middleRaw.tokens) : null,
    family: familyRaw ? preparedName(familyRaw.tokens) : null,
    familyParts: familyRaw && familyRaw.tokens.length > 1 ? familyRaw.tokens : [],
    previousFamilies: (f.previousFamilyNames ?? []).map((n) => normaliseName(n)?.key ?? '').filter(Boolean),
    generation: familyRaw?.generation ?? givenRaw?.generation ?? null,
    dob: parseIsoDate(f.dateOfBirth),
    sex: f.sex === 'F' || f.sex === 'M' ? f.sex : null,
    nino: normaliseNino(f.nino),
    nhs: normaliseNhsNumber(f.nhsNumber),
    uprn: normaliseUprn(f.uprn),
    postcode: normalisePostcode(f.postcode),
    address: address.length ? address : null,
    addressWeights: address.length ? new Float64Array(address.length).fill(1) : null,
    addressMasks: address.length ? Int32Array.from(address, letterMask) : null,
    addressKey: address.length ? [...address].sort().join(' ') : null,
    locality: locality || null,
    email: normaliseEmail(f.email),
    phone: normalisePhone(f.phone),
    identifiers: identifiers.size ? identifiers : null,
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
  return { tokens, key, first: tokens[0], metaphone, nicknames: nicknameGroups(tokens[0]) };
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
