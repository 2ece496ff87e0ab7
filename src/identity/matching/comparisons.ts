import { distance } from 'fastest-levenshtein';
import { tokenSimilarity } from './address';
import { jaroWinkler } from './jaro-winkler';
import { shareNicknameGroup } from './nicknames';
import { bagDistance, damerauLevenshtein, popcount, withinOneEdit, withinTypoDistance } from './text';
import { PreparedName, PreparedRecord } from './types';

/** Columns whose exact matches are weighted by how common the value is. */
export type TfColumn = 'givenName' | 'familyName' | 'dateOfBirth' | 'locality';

/**
 * One field's comparison: ordered levels from strongest agreement to disagreement. Level 0 is always
 * `null` (missing on either side) and weighs nothing. The EM-trained model gives each other level its m
 * and u probability.
 */
export interface Comparison {
  readonly name: string;
  readonly levels: readonly string[];
  /** The level (exact agreement) whose weight is adjusted by the value's term frequency. */
  readonly tf?: { level: number; column: TfColumn; value: (r: PreparedRecord) => string | null };
  compare(a: PreparedRecord, b: PreparedRecord): number;
}

export const NAME_LEVELS = [
  'null',
  'exact',
  'nickname or alias',
  'jaro-winkler >= 0.92',
  'typo: one edit or letters swapped',
  'given and family names swapped',
  'double metaphone',
  'initial',
  'jaro-winkler >= 0.80',
  'different',
] as const;
export const FAMILY_LEVELS = [
  'null',
  'exact',
  'previous or hyphenated part',
  'jaro-winkler >= 0.92',
  'typo: one edit or letters swapped',
  'double metaphone',
  'jaro-winkler >= 0.80',
  'different',
] as const;

export const level = <L extends readonly string[]>(levels: L, label: L[number]): number => levels.indexOf(label);

const GIVEN = {
  exact: level(NAME_LEVELS, 'exact'),
  alias: level(NAME_LEVELS, 'nickname or alias'),
  close: level(NAME_LEVELS, 'jaro-winkler >= 0.92'),
  typo: level(NAME_LEVELS, 'typo: one edit or letters swapped'),
  swapped: level(NAME_LEVELS, 'given and family names swapped'),
  metaphone: level(NAME_LEVELS, 'double metaphone'),
  initial: level(NAME_LEVELS, 'initial'),
  alike: level(NAME_LEVELS, 'jaro-winkler >= 0.80'),
  different: level(NAME_LEVELS, 'different'),
};
const FAMILY = {
  exact: level(FAMILY_LEVELS, 'exact'),
  part: level(FAMILY_LEVELS, 'previous or hyphenated part'),
  close: level(FAMILY_LEVELS, 'jaro-winkler >= 0.92'),
  typo: level(FAMILY_LEVELS, 'typo: one edit or letters swapped'),
  metaphone: level(FAMILY_LEVELS, 'double metaphone'),
  alike: level(FAMILY_LEVELS, 'jaro-winkler >= 0.80'),
  different: level(FAMILY_LEVELS, 'different'),
};
export { GIVEN as GIVEN_LEVEL, FAMILY as FAMILY_LEVEL };

function metaphoneMatch(a: PreparedName, b: PreparedName): boolean {
  const [a1, a2] = a.metaphone;
  const [b1, b2] = b.metaphone;
  return (!!a1 && (a1 === b1 || a1 === b2)) || (!!a2 && (a2 === b1 || a2 === b2));
}

function similarName(a: PreparedName | null, b: PreparedName | null): boolean {
  if (!a || !b) return false;
  if (a.key === b.key) return true;
  // Most names compared so (a given name with a family name) share too few letters to be either.
  if (!mayBeTypo(a, b) && jaroWinklerCeiling(a, b) < 0.88 - CEILING_MARGIN) return false;
  return withinTypoDistance(a.key, b.key) || jaroWinkler(a.key, b.key, 0.88) >= 0.88;
}

/**
 * Whether two different names' letters leave them within typing distance (`withinTypoDistance`): its bag
 * distance is at least the difference of their lengths, and at least the number of letters one has and the
 * other lacks.
 */
function mayBeTypo(a: PreparedName, b: PreparedName): boolean {
  const la = a.key.length;
  const lb = b.key.length;
  const shorter = la < lb ? la : lb;
  if (shorter < 2) return false;
  const max = shorter >= 7 ? 2 : 1;
  return (
    la - lb <= max &&
    lb - la <= max &&
    popcount(a.letters & ~b.letters) <= max &&
    popcount(b.letters & ~a.letters) <= max
  );
}

/** Floating-point slack between a ceiling and the similarity it bounds (both sum in their own order). */
const CEILING_MARGIN = 1e-9;

/**
 * An upper bound of two names' Jaro-Winkler similarity from their letter masks alone: each letter one has
 * and the other lacks leaves at least one of its characters unmatched, no transpositions is the best case,
 * and the prefix adds at most 0.4 of the rest.
 */
function jaroWinklerCeiling(a: PreparedName, b: PreparedName): number {
  const la = a.key.length;
  const lb = b.key.length;
  const ma = la - popcount(a.letters & ~b.letters);
  const mb = lb - popcount(b.letters & ~a.letters);
  const m = ma < mb ? ma : mb;
  if (m <= 0) return 0;
  const j = (m / la + m / lb + 1) / 3;
  return j + 0.4 * (1 - j);
}

/**
 * `jaroWinkler` of two names where it reaches `floor`, and 0 where their letters show it cannot (callers
 * only compare it with thresholds at or above `floor`, so the level is the same).
 */
function nameSimilarity(a: PreparedName, b: PreparedName, floor: number): number {
  return jaroWinklerCeiling(a, b) < floor - CEILING_MARGIN ? 0 : jaroWinkler(a.key, b.key, floor);
}

/** Given and family names written the other way round on one side. */
export function namesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
  return similarName(a.given, b.family) && similarName(a.family, b.given);
}

/** Given-name agreement up to a typing slip (levels exact to typo), without the swap check. */
function givenAgreement(a: PreparedRecord, b: PreparedRecord, ga: PreparedName, gb: PreparedName): number {
  if (ga.key === gb.key) return GIVEN.exact;
  if (givenAlias(a, b, ga, gb)) return GIVEN.alias;
  return givenLikeness(ga, gb, nameSimilarity(ga, gb, 0.92));
}

/**
 * The levels of two different given names, neither an alias of the other, that are alike (close, typo),
 * from their similarity `jw` (`nameSimilarity` at a floor of 0.92 or less); the typo's edit distance only
 * where the letters allow it.
 */
function givenLikeness(ga: PreparedName, gb: PreparedName, jw: number): number {
  if (jw >= 0.92) return GIVEN.close;
  if (mayBeTypo(ga, gb) && withinTypoDistance(ga.key, gb.key)) return GIVEN.typo;
  return 0;
}

/** One given name a diminutive or variant of the other, the same first name, or a middle name used. */
function givenAlias(a: PreparedRecord, b: PreparedRecord, ga: PreparedName, gb: PreparedName): boolean {
  return (
    shareNicknameGroup(ga.nicknames, gb.nicknames) ||
    ga.first === gb.first ||
    usesMiddleName(a, b) ||
    usesMiddleName(b, a)
  );
}

/** Family-name agreement up to a typing slip (levels exact to typo). */
function familyAgreement(a: PreparedRecord, b: PreparedRecord, fa: PreparedName, fb: PreparedName, jw: number): number {
  if (fa.key === fb.key) return FAMILY.exact;
  if (familyPartOrPrevious(a, b) || familyPartOrPrevious(b, a)) return FAMILY.part;
  if (jw >= 0.92) return FAMILY.close;
  if (withinTypoDistance(fa.key, fb.key)) return FAMILY.typo;
  return 0;
}

/**
 * Given and family names swapped on one side, and neither name agreeing in place: the given-name
 * comparison takes the swap as one piece of evidence (its own level) and the family-name comparison
 * stands aside (null), so that a swap is not counted twice.
 */
function swappedPair(
  a: PreparedRecord,
  b: PreparedRecord,
  givenKnownApart: boolean,
  familyKnownApart: boolean,
): boolean {
  if (!a.given || !b.given || !a.family || !b.family) return false;
  // The swap is rare: test it first, and the agreement in place only when it holds.
  if (!namesSwapped(a, b)) return false;
  if (!givenKnownApart && givenAgreement(a, b, a.given, b.given)) return false;
  return familyKnownApart || !familyAgreement(a, b, a.family, b.family, jaroWinkler(a.family.key, b.family.key, 0.92));
}

/**
 * One record holds a single name, which the other, holding both, has in the other place: "hunt" as the
 * family name against "hunt jessica" written family first, "chloe" as the given name against "mackenzie
 * chloe". Names written the other way round are common (the swap level above); with one name missing the
 * swap cannot be confirmed, so the comparison in place stands aside (null) instead of counting the
 * misplaced name as a different name against the pair.
 */
function halfSwapped(one: PreparedRecord, other: PreparedRecord, field: 'given' | 'family'): boolean {
  const given = field === 'given';
  const oneName = given ? one.given : one.family;
  const oneOpposite = given ? one.family : one.given;
  const otherName = given ? other.given : other.family;
  const otherOpposite = given ? other.family : other.given;
  if (oneName !== null && oneOpposite === null && otherOpposite) return similarName(oneName, otherOpposite);
  if (otherName !== null && otherOpposite === null && oneOpposite) return similarName(otherName, oneOpposite);
  return false;
}

const givenName: Comparison = {
  name: 'givenName',
  levels: NAME_LEVELS,
  tf: { level: 1, column: 'givenName', value: (r) => r.given?.key ?? null },
  compare(a, b) {
    const ga = a.given;
    const gb = b.given;
    if (!ga || !gb) return 0;
    // givenAgreement, with the similarity (computed only where the cheaper checks fail) kept for `alike`.
    if (ga.key === gb.key) return GIVEN.exact;
    if (givenAlias(a, b, ga, gb)) return GIVEN.alias;
    const jw = nameSimilarity(ga, gb, 0.8);
    const likeness = givenLikeness(ga, gb, jw);
    if (likeness) return likeness;
    if (swappedPair(a, b, true, false)) return GIVEN.swapped;
    if (halfSwapped(a, b, 'given')) return 0;
    if (metaphoneMatch(ga, gb)) return GIVEN.metaphone;
    if ((ga.key.length === 1 || gb.key.length === 1) && ga.key[0] === gb.key[0]) return GIVEN.initial;
    if (jw >= 0.8) return GIVEN.alike;
    return GIVEN.different;
  },
};

/**
 * One record gives the other's middle name as its given name (known by the middle name). A person known
 * by a middle name keeps their other names, so a middle name of its own that the other record does not
 * hold makes them two people (Olivia Victoria is not Isabella Olivia).
 */
function usesMiddleName(a: PreparedRecord, b: PreparedRecord): boolean {
  if (!a.given || !b.middle || a.given.key.length <= 1 || !b.middle.tokens.includes(a.given.key)) return false;
  if (!a.middle) return true;
  const names = [...(b.given?.tokens ?? []), ...b.middle.tokens];
  return a.middle.tokens.every((t) => (t.length === 1 ? names.some((n) => n[0] === t) : names.includes(t)));
}

const familyName: Comparison = {
  name: 'familyName',
  levels: FAMILY_LEVELS,
  tf: { level: 1, column: 'familyName', value: (r) => r.family?.key ?? null },
  compare(a, b) {
    const fa = a.family;
    const fb = b.family;
    if (!fa || !fb) return 0;
    const jw = jaroWinkler(fa.key, fb.key, 0.8);
    const agreement = familyAgreement(a, b, fa, fb, jw);
    if (agreement) return agreement;
    // Counted once, by the given-name comparison.
    if (swappedPair(a, b, false, true)) return 0;
    if (halfSwapped(a, b, 'family')) return 0;
    if (metaphoneMatch(fa, fb)) return FAMILY.metaphone;
    if (jw >= 0.8) return FAMILY.alike;
    return FAMILY.different;
  },
};

function familyPartOrPrevious(a: PreparedRecord, b: PreparedRecord): boolean {
  const key = (a.family as PreparedName).key;
  if (b.previousFamilies.includes(key) || b.familyParts.includes(key)) return true;
  for (const part of a.familyParts) if (b.familyParts.includes(part)) return true;
  return false;
}

const middleNames: Comparison = {
  name: 'middleNames',
  levels: ['null', 'exact', 'jaro-winkler >= 0.92', 'same initial', 'different'],
  compare(a, b) {
    const ma = a.middle;
    const mb = b.middle;
    if (!ma || !mb) return 0;
    if (ma.key === mb.key) return 1;
    if (jaroWinkler(ma.key, mb.key, 0.92) >= 0.92) return 2;
    return ma.key[0] === mb.key[0] ? 3 : 4;
  },
};

export const DOB_LEVELS = [
  'null',
  'exact',
  'day and month swapped',
  'one component off',
  'same year only',
  'different',
] as const;

const dateOfBirth: Comparison = {
  name: 'dateOfBirth',
  levels: DOB_LEVELS,
  tf: { level: 1, column: 'dateOfBirth', value: (r) => r.dob?.iso ?? null },
  compare(a, b) {
    const da = a.dob;
    const db = b.dob;
    if (!da || !db) return 0;
    const sameY = da.y === db.y;
    const sameM = da.m === db.m;
    const sameD = da.d === db.d;
    if (sameY && sameM && sameD) return 1;
    if (sameY && da.d === db.m && da.m === db.d) return 2;
    // A wrong year is a slip within one keystroke or one year (1972 / 1927, 1979 / 1980), not 1972 / 2002;
    // looked at only where the other two components are the same (the years written out only there).
    if (
      +sameY + +sameM + +sameD === 2 &&
      (sameY || Math.abs(da.y - db.y) <= 1 || withinOneEdit(String(da.y), String(db.y), distance))
    )
      return 3;
    return sameY ? 4 : 5;
  },
};

const sex: Comparison = {
  name: 'sex',
  levels: ['null', 'same', 'different'],
  compare: (a, b) => (!a.sex || !b.sex ? 0 : a.sex === b.sex ? 1 : 2),
};

export const IDENTIFIER_LEVELS = ['null', 'exact', 'one transposition', 'one edit', 'different'] as const;

/** Identifiers graded as typing slips: exact, two adjacent characters swapped, one edit, different. */
export function identifierLevel(va: string | null | undefined, vb: string | null | undefined): number {
  if (!va || !vb) return 0;
  if (va === vb) return 1;
  const n = va.length;
  // Values of another length are never a transposition; one character more or less is one edit.
  if (n !== vb.length) return oneEdit(va, vb) ? 3 : 4;
  // One pass for both checks: one mismatch is one edit; exactly two, adjacent and crossed, a transposition
  // (the two characters swapped); anything else is different.
  let i = 0;
  while (va.charCodeAt(i) === vb.charCodeAt(i)) i++;
  let j = i + 1;
  while (j < n && va.charCodeAt(j) === vb.charCodeAt(j)) j++;
  if (j === n) return 3;
  for (let k = j + 1; k < n; k++) if (va.charCodeAt(k) !== vb.charCodeAt(k)) return 4;
  return j === i + 1 && va.charCodeAt(i) === vb.charCodeAt(j) && va.charCodeAt(j) === vb.charCodeAt(i) ? 2 : 4;
}

function exactOrTransposed(name: string, key: 'nino' | 'nhs'): Comparison {
  const compare: Comparison['compare'] =
    key === 'nino' ? (a, b) => identifierLevel(a.nino, b.nino) : (a, b) => identifierLevel(a.nhs, b.nhs);
  return { name, levels: IDENTIFIER_LEVELS, compare };
}

export const ADDRESS_LEVELS = [
  'null',
  'same UPRN',
  'same address and postcode',
  'same address',
  'same postcode',
  'similar address',
  'same locality',
  'same postcode district or area, or similar locality',
  'different',
] as const;

function oneEdit(a: string, b: string): boolean {
  return withinOneEdit(a, b, distance);
}

/**
 * Postcode relation: 3 exact, 2 close (same UK sector, or within one edit), 1 same UK district, 0.5 same UK
 * area, 0 different, -1 missing on a side.
 */
function postcodeRelation(a: PreparedRecord, b: PreparedRecord): number {
  const pa = a.postcode;
  const pb = b.postcode;
  if (!pa || !pb) return -1;
  if (pa.full === pb.full) return 3;
  if (pa.sector && pb.sector) {
    if (pa.sector === pb.sector) return 2;
    if (oneEdit(pa.full, pb.full)) return 2;
    return pa.district === pb.district ? 1 : pa.area === pb.area ? 0.5 : 0;
  }
  return oneEdit(pa.full, pb.full) ? 2 : 0;
}

/**
 * Where the person lives, as one comparison: UPRN, address lines, postcode and locality are four views of
 * one fact, and scoring them separately would count a shared home four times (and so link the members of
 * a household). The levels run from the same property to nowhere near.
 */
const address: Comparison = {
  name: 'address',
  levels: ADDRESS_LEVELS,
  tf: { level: 6, column: 'locality', value: (r) => r.locality },
  compare(a, b) {
    const uprnBoth = !!a.uprn && !!b.uprn;
    if (uprnBoth && a.uprn === b.uprn) return 1;
    const postcode = postcodeRelation(a, b);
    const locality =
      !a.locality || !b.locality
        ? -1
        : a.locality === b.locality
          ? 2
          : jaroWinkler(a.locality, b.locality, 0.88) >= 0.88
            ? 1
            : 0;
    // The lines' similarity is read below only where the postcodes do not tell the places apart already: in
    // different postcode areas, or in one area with different localities, the level is the same locality,
    // the same district or area, or different, whatever the lines (so for about half the candidate pairs of
    // a large population), and they are not compared there.
    const linesRead = postcode !== 0 && !(postcode === 0.5 && locality === 0);
    let lines = -1;
    if (linesRead && a.address && b.address) {
      lines =
        a.addressKey === b.addressKey
          ? 1
          : tokenSimilarity(
              a.address,
              a.addressWeights as Float64Array,
              b.address,
              b.addressWeights as Float64Array,
              a.addressMasks as Int32Array,
              b.addressMasks as Int32Array,
            );
    }
    // Two UPRNs that differ are two properties, however alike their addresses (flats in one building).
    const sameProperty = !uprnBoth && lines >= 0.85;
    if (sameProperty && postcode === 3) return 2;
    if (sameProperty && (postcode === 2 || postcode === 1 || (postcode === -1 && locality !== 0))) return 3;
    if (postcode === 3 && (lines === -1 || lines >= 0.35)) return 4;
    if (lines >= 0.6 && postcode !== 0 && locality !== 0) return 5;
    if (locality === 2) return 6;
    if (postcode >= 0.5 || locality === 1) return 7;
    if (postcode === -1 && lines === -1 && locality === -1 && !uprnBoth) return 0;
    return 8;
  },
};

export const EMAIL_LEVELS = [
  'null',
  'exact',
  'typo: within two edits',
  'same local part',
  'same initials or name as local part',
  'local part and domain each jaro-winkler >= 0.88',
  'different',
] as const;

/**
 * A local part that many people could have: initials (`j.c`, `lc7`), or names alone, whole or as initials,
 * in any order and without digits (`lbegum`, `jack`, `ella.rogers`). Shared at two domains it says little.
 */
export function nameLikeLocalPart(local: string, a: PreparedRecord, b: PreparedRecord): boolean {
  const letters = local.replace(/[^a-z]/g, '');
  if (letters.length <= 3) return true;
  return builtFromNames(local, a) || builtFromNames(local, b);
}

const digitsOf = (s: string) => s.replace(/\D/g, '');
const oneEditOrSame = (a: string, b: string) => a === b || oneEdit(a, b);

/**
 * Both records' addresses have a local part made of their names alone, in any order, whole or as initials,
 * with no digits (`george.hill`, `ghill`, `hill.g`): a father and his namesake son get such addresses as
 * readily as one person does, so they say nothing about which of them a record is.
 */
export function nameBuiltEmail(a: PreparedRecord, b: PreparedRecord): boolean {
  return !!a.email && !!b.email && builtFromNames(a.email.local, a) && builtFromNames(b.email.local, b);
}

function builtFromNames(local: string, r: PreparedRecord): boolean {
  if (/\d/.test(local)) return false;
  const letters = local.replace(/[^a-z]/g, '');
  const g = r.given?.key ?? '';
  const f = r.family?.key ?? '';
  if (!letters || (!g && !f)) return false;
  const parts = [g, f, g[0] ?? '', f[0] ?? ''].filter(Boolean);
  const options = new Set<string>(parts);
  for (const x of parts) for (const y of parts) if (x !== y) options.add(x + y);
  return options.has(letters);
}

/**
 * Email: exact; a typing slip anywhere in the address (within two edits, which also catches an address
 * that lost its dot or gained a space); the same local part at another domain, distinctive or only
 * initials or a name; local part and domain each alike (several slips); different. Malformed addresses
 * are compared as text.
 */
const email: Comparison = {
  name: 'email',
  levels: EMAIL_LEVELS,
  compare(a, b) {
    const ea = a.email;
    const eb = b.email;
    if (!ea || !eb) return 0;
    if (ea.full === eb.full) return 1;
    // One slip anywhere, or two that leave the digits alone (ellapalmer5 / ellapalmer38 are two people).
    // The bag distance is a lower bound of the edit distance: one pass dismisses most addresses.
    // The bag distance is at least the difference of the lengths: addresses of unlike lengths skip it.
    const la = ea.full.length;
    const lb = eb.full.length;
    if (Math.min(la, lb) >= 6 && la - lb <= 2 && lb - la <= 2 && bagDistance(ea.full, eb.full) <= 2) {
      const d = damerauLevenshtein(ea.full, eb.full, 2);
      if (d <= 1 || (d === 2 && digitsOf(ea.local) === digitsOf(eb.local))) return 2;
    }
    if (ea.local === eb.local) return nameLikeLocalPart(ea.local, a, b) ? 4 : 3;
    // More slips than two, but in both halves of one address (dmacdoald@riverb-glass.siz), and no more
    // than one in its digits (oliver.adams / oliveradams22 are two people's name-built addresses).
    // The conditions do not depend on each other: the cheapest to reject most pairs first (the domains'
    // similarity, most often of one domain, then the local parts'), the digits, which cost most, last.
    if (
      la > ea.local.length + 1 &&
      lb > eb.local.length + 1 &&
      jaroWinkler(ea.full.slice(ea.local.length + 1), eb.full.slice(eb.local.length + 1), 0.88) >= 0.88 &&
      jaroWinkler(ea.local, eb.local, 0.88) >= 0.88 &&
      oneEditOrSame(digitsOf(ea.local), digitsOf(eb.local))
    )
      return 5;
    return 6;
  },
};

const phone: Comparison = {
  name: 'phone',
  levels: ['null', 'exact', 'one edit', 'different'],
  compare(a, b) {
    if (!a.phone || !b.phone) return 0;
    if (a.phone === b.phone) return 1;
    return oneEdit(a.phone, b.phone) ? 2 : 3;
  },
};

/**
 * Levels of a free-named identifier: as NINOs, with two slips (two edits or swaps, Damerau–Levenshtein, a
 * swap or a shifted character among them) a level of its own. A number typed twice with two slips
 * (2590578 / 2597058, 6623862 / 6633826) is far
 * likelier one person's than two random numbers are that close; how much likelier the model estimates (u
 * from random pairs, m by EM), so on short identifiers, where two edits is most of the space, it weighs
 * little. NINOs and NHS numbers keep four levels: two valid ones more than one slip apart are decisive.
 */
export const FREE_IDENTIFIER_LEVELS = [
  'null',
  'exact',
  'one transposition',
  'one edit',
  'two edits',
  'different',
] as const;

/**
 * A free-named identifier graded by slips: exact, one adjacent swap, one edit, two edits, different. Two
 * characters replaced in place, and nothing else, is not "two edits": numbers issued in sequence (siblings'
 * pupil numbers, accounts opened together) differ just so, in their last digits and a check character, and
 * random pairs would not show how common that is among people of one household.
 */
export function freeIdentifierLevel(va: string | null | undefined, vb: string | null | undefined): number {
  const graded = identifierLevel(va, vb);
  if (graded < 4) return graded;
  const a = va as string;
  const b = vb as string;
  if (damerauLevenshtein(a, b, 2) > 2) return 5;
  return a.length === b.length && hamming(a, b) === 2 ? 5 : 4;
}

function hamming(a: string, b: string): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) n++;
  return n;
}

/** A free-named identifier (a council tax account, a legacy key), graded as NINOs are, and by two slips. */
export function identifierComparison(key: string): Comparison {
  return {
    name: `identifier:${key}`,
    levels: FREE_IDENTIFIER_LEVELS,
    compare: (a, b) => freeIdentifierLevel(a.identifiers?.get(key), b.identifiers?.get(key)),
  };
}

export const BASE_COMPARISONS: readonly Comparison[] = [
  givenName,
  middleNames,
  familyName,
  dateOfBirth,
  sex,
  exactOrTransposed('nino', 'nino'),
  exactOrTransposed('nhsNumber', 'nhs'),
  address,
  email,
  phone,
];

export function buildComparisons(identifierKeys: readonly string[]): Comparison[] {
  return [...BASE_COMPARISONS, ...[...identifierKeys].sort().map(identifierComparison)];
}
