import { ADDRESS_LEVELS, DOB_LEVELS, FAMILY_LEVEL, GIVEN_LEVEL } from './comparisons';
import { PreparedRecord } from './types';

/**
 * Household evidence: patterns of agreement that the members of one family produce and the Fellegi–Sunter
 * sum cannot see, because it treats family name, home, date of birth and given name as independent. Twins
 * share a family name, a home and a date of birth; a father and his namesake son share every name and a
 * home. Summed independently those agreements say "one person" with great confidence; whether they really
 * do depends on how many such relatives the data holds, which differs from one file to the next (FEBRL's
 * duplicates have no relatives at all; a council's records are full of them).
 *
 * So the weight of a pair in one of these patterns is estimated from the data (see `estimateHousehold`):
 * the share of pairs in the pattern that are two people is what the data holds beyond what the model's
 * own error rates explain, and where that share is significant, the pair's weight is capped at the log
 * odds of the pattern plus the evidence of the fields the pattern does not involve (an identifier, an
 * email, a phone, sex). Nothing is vetoed: an agreeing NINO or email still links twins' records of one
 * twin, and in data without households nothing changes.
 */
export const HOUSEHOLD_PATTERNS = [
  'twins: same date of birth, different given names',
  'namesakes at one home: dates of birth differ',
  'at one home: a date of birth missing',
  'at one home: a given name missing',
  'at one home: a given name missing, dates of birth differ',
  'at one home: no given name or date of birth to compare',
  'at one home: given names differ, a date of birth missing',
  'twins at one home: same date of birth, different given names',
] as const;

export type HouseholdPattern = (typeof HOUSEHOLD_PATTERNS)[number];

const [
  TWINS,
  NAMESAKES,
  DOB_MISSING,
  GIVEN_MISSING,
  GIVEN_MISSING_DOB_DIFFER,
  NOTHING_BUT_HOME,
  GIVEN_DIFFER_DOB_MISSING,
  TWINS_HOME,
] = HOUSEHOLD_PATTERNS;

/**
 * The comparisons a household pattern is made of, or that relatives share as readily as one person's
 * records do (a son named after his father has his middle names too); the others (identifiers, phone,
 * email, and sex where it differs) are evidence beside it.
 */
export const HOUSEHOLD_COMPARISONS = ['givenName', 'middleNames', 'familyName', 'dateOfBirth', 'address'] as const;

/** Given names agree (up to a typo), differ beyond a typo, or cannot be compared (missing, an initial). */
export type GivenRelation = 'agree' | 'beyond typo' | 'missing';
export type DobRelation = 'agree' | 'differ' | 'generation' | 'missing';

export interface HouseholdView {
  /** Family names the same, a part or previous one, or alike (a typo, phonetic). */
  family: boolean;
  /** One home: same UPRN, same or similar address lines, or same postcode. */
  home: boolean;
  given: GivenRelation;
  dob: DobRelation;
}

export interface HouseholdOptions {
  twins: boolean;
  generations: boolean;
}

const GIVEN_AGREE = new Set([GIVEN_LEVEL.exact, GIVEN_LEVEL.alias, GIVEN_LEVEL.close, GIVEN_LEVEL.typo]);
/** Given names further apart than a typing slip (a phonetic likeness counts: Ava / Evie). */
const GIVEN_BEYOND = new Set([GIVEN_LEVEL.metaphone, GIVEN_LEVEL.alike, GIVEN_LEVEL.different]);
const FAMILY_ALIKE = new Set([
  FAMILY_LEVEL.exact,
  FAMILY_LEVEL.part,
  FAMILY_LEVEL.close,
  FAMILY_LEVEL.typo,
  FAMILY_LEVEL.metaphone,
  FAMILY_LEVEL.alike,
]);
const DOB_AGREE = new Set([
  DOB_LEVELS.indexOf('exact'),
  DOB_LEVELS.indexOf('day and month swapped'),
  DOB_LEVELS.indexOf('one component off'),
]);
/**
 * Address levels taken as one home: same UPRN, same address lines, same postcode, similar address lines.
 * A postcode is a handful of homes, and a household's records carry the typos anyone's do.
 */
const SAME_HOME_MAX = ADDRESS_LEVELS.indexOf('similar address');

/**
 * Whether two records' family names are alike enough for them to be one household's members (a pair whose
 * names are swapped on one side counts as alike): the pairs `householdView` says anything about.
 */
export function familiesAlike(given: number, family: number): boolean {
  return given === GIVEN_LEVEL.swapped || FAMILY_ALIKE.has(family);
}

/** How a pair of records relates as a household would, or null when the family names do not agree. */
export function householdView(
  a: PreparedRecord,
  b: PreparedRecord,
  given: number,
  family: number,
  dob: number,
  address: number,
  generationYears: number,
): HouseholdView | null {
  if (!familiesAlike(given, family)) return null;
  // Names written the other way round on one side are the same names (the family comparison stands aside).
  if (given === GIVEN_LEVEL.swapped) given = GIVEN_LEVEL.exact;
  const fullNames = (a.given?.key.length ?? 0) > 1 && (b.given?.key.length ?? 0) > 1;
  const g: GivenRelation = GIVEN_AGREE.has(given)
    ? 'agree'
    : GIVEN_BEYOND.has(given) && fullNames
      ? 'beyond typo'
      : 'missing';
  let d: DobRelation = 'missing';
  // Years a generation apart are a generation even one keystroke apart (1960 / 1990): a son born on his
  // father's birthday is as likely at one home as that slip.
  if (dob !== 0)
    d =
      a.dob && b.dob && Math.abs(a.dob.y - b.dob.y) >= generationYears
        ? 'generation'
        : DOB_AGREE.has(dob)
          ? 'agree'
          : 'differ';
  return { family: true, home: address >= 1 && address <= SAME_HOME_MAX, given: g, dob: d };
}

/** The household pattern of a pair, if any (checked in this order). */
export function householdPattern(view: HouseholdView | null, options: HouseholdOptions): HouseholdPattern | null {
  if (!view) return null;
  if (options.twins && view.given === 'beyond typo' && view.dob === 'agree') return view.home ? TWINS_HOME : TWINS;
  if (!options.generations) return null;
  if (view.given === 'agree' && view.home && (view.dob === 'differ' || view.dob === 'generation')) return NAMESAKES;
  if (!view.home) return null;
  if (view.given === 'agree' && view.dob === 'missing') return DOB_MISSING;
  if (view.given === 'beyond typo' && view.dob === 'missing') return GIVEN_DIFFER_DOB_MISSING;
  if (view.given === 'missing') {
    if (view.dob === 'missing') return NOTHING_BUT_HOME;
    if (view.dob === 'agree') return options.twins ? GIVEN_MISSING : null;
    return GIVEN_MISSING_DOB_DIFFER;
  }
  return null;
}

/** One pattern's estimate: pairs seen, matches the model's error rates explain, the two-people excess. */
export interface HouseholdStratum {
  pairs: number;
  expectedMatches: number;
  twoPeople: number;
  /** log2 odds that a pair in the pattern is one person, before any other evidence. */
  logOdds: number;
}

export type HouseholdModel = Partial<Record<HouseholdPattern, HouseholdStratum>>;

/** Weighted counts of candidate pairs by household view, gathered in training. */
export class HouseholdCounts {
  /** Family names alike; given names agree / beyond a typo; dates of birth agree. */
  agreeF = 0;
  twinsF = 0;
  /** At one home: the same, namesakes (dates of birth differ), and relatives (given names and dates differ). */
  agreeHome = 0;
  twinsHome = 0;
  namesakesHome = 0;
  relativesHome = 0;

  add(view: HouseholdView | null, weight = 1): void {
    if (!view) return;
    const dobDiffers = view.dob === 'differ' || view.dob === 'generation';
    if (view.given === 'agree' && view.dob === 'agree') {
      this.agreeF += weight;
      if (view.home) this.agreeHome += weight;
    } else if (view.given === 'beyond typo' && view.dob === 'agree') {
      this.twinsF += weight;
      if (view.home) this.twinsHome += weight;
    } else if (view.home && view.given === 'agree' && dobDiffers) this.namesakesHome += weight;
    else if (view.home && view.given === 'beyond typo' && dobDiffers) this.relativesHome += weight;
  }

  /**
   * Whether the data holds households: pairs at one home under one family name whose given names and dates
   * of birth both differ (spouses, parents and children, brothers and sisters) at more than a quarter of
   * the pairs that agree on both. One person's records differ on both only when two independent errors
   * meet (well under a tenth of the agreeing pairs even at error rates of 25% per field); in a council's
   * records every family of three or more yields several such pairs.
   */
  householdsPresent(): boolean {
    return this.relativesHome > 0.25 * this.agreeHome + 3 * Math.sqrt(this.agreeHome + 1);
  }
}

/** The model's own rates among matches: given names beyond a typo; dates of birth that differ. */
export interface MatchRates {
  givenBeyond: number;
  dobDiffer: number;
}

/**
 * Pairs beyond what the model's error rates explain: zero unless the count exceeds the expectation by more
 * than three standard deviations of a Poisson count (so that chance never creates a stratum), else the
 * point estimate (so that the stratum's odds are not flattered).
 */
function excess(count: number, expected: number): number {
  return count - expected > 3 * Math.sqrt(expected + 1) ? count - expected : 0;
}

/**
 * A pattern's estimate. Its log odds take the number of two-people pairs two standard deviations high (of
 * a Poisson count over the pattern's pairs) where there is an excess: the weight of a pair is capped at
 * them, so they must not flatter it. Where there is none, the pattern's pairs are one person's records
 * with an error, as many of them as the data holds, and the odds are what that count can vouch for, with
 * half a pair on either side (Jeffreys' prior): log2(2n + 1) for n pairs. So a pattern the data has seen
 * a hundred times without an excess barely matters (odds 200 : 1), while one it has seen twice cannot
 * carry a pair to a link on its own (odds 5 : 1, below the auto-link threshold's 19 : 1); an agreeing
 * identifier, email or phone still can.
 */
function stratum(pairs: number, expectedMatches: number, twoPeople: number): HouseholdStratum {
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const high = twoPeople > 0 ? Math.min(pairs, twoPeople + 2 * Math.sqrt(pairs)) : 0;
  return {
    pairs: round(pairs),
    expectedMatches: round(expectedMatches),
    twoPeople: round(twoPeople),
    logOdds: round(Math.log2((pairs - high + 0.5) / (high + 0.5))),
  };
}

/**
 * Each household pattern's log odds that a pair in it is one person.
 *
 * Among pairs whose family names agree, those whose given names and dates of birth also agree are (nearly
 * all) one person: A of them. One person's records have given names beyond a typo at a rate g and dates of
 * birth that differ at a rate d (the model's m, trained without the household patterns), so A·g/(1−g)
 * pairs with other given names and A·d/(1−d) with other dates of birth are matches; where the data holds
 * households, the rest of the pairs in those patterns are twins and namesakes.
 *
 * Where the data holds no households, no excess is counted (the error rates are estimates, and an excess
 * over them is no evidence of twins in data without families: FEBRL's generator, say, corrupts fewer
 * fields of a record the more of them agree), so a pair in a pattern is one person's record with an
 * error, but only as surely as the number of such pairs in the data shows (see `stratum`). Small data or
 * data that has barely seen a pattern cannot vouch for it: twins in a few hundred records are not linked
 * on their names, date of birth and home alone. Every pattern has an estimate; none is a veto.
 */
export function estimateHousehold(counts: HouseholdCounts, rates: MatchRates): HouseholdModel {
  const present = counts.householdsPresent();
  const over = (count: number, expected: number) => (present ? excess(count, expected) : 0);
  const g = Math.min(0.5, rates.givenBeyond);
  const d = Math.min(0.5, rates.dobDiffer);
  const model: HouseholdModel = {};
  const twinsExpected = (counts.agreeF * g) / (1 - g);
  model[TWINS] = stratum(counts.twinsF, twinsExpected, over(counts.twinsF, twinsExpected));
  // At one home, the pairs at one home: elsewhere, strangers who share a family name and a birthday (common
  // names, common dates) would vouch for twins' records being one person's.
  const twinsHomeExpected = (counts.agreeHome * g) / (1 - g);
  const twinsHome = over(counts.twinsHome, twinsHomeExpected);
  model[TWINS_HOME] = stratum(counts.twinsHome, twinsHomeExpected, twinsHome);
  const namesakesExpected = (counts.agreeHome * d) / (1 - d);
  const namesakes = over(counts.namesakesHome, namesakesExpected);
  model[NAMESAKES] = stratum(counts.namesakesHome, namesakesExpected, namesakes);
  // A missing date of birth hides which kind of pair it is: the share of two people among all pairs at
  // one home whose given names agree.
  model[DOB_MISSING] = stratum(
    counts.agreeHome + counts.namesakesHome,
    counts.agreeHome + namesakesExpected,
    namesakes,
  );
  model[GIVEN_MISSING] = stratum(counts.agreeHome + counts.twinsHome, counts.agreeHome + twinsHomeExpected, twinsHome);
  // Without a given name, dates of birth that differ are a namesake's or any relative's.
  const relatives = counts.relativesHome;
  const bothExpected = (counts.agreeHome * g * d) / ((1 - g) * (1 - d));
  const relativesTwoPeople = over(relatives, bothExpected);
  const differExpected = namesakesExpected + bothExpected;
  const differTwoPeople = namesakes + relativesTwoPeople;
  model[GIVEN_MISSING_DOB_DIFFER] = stratum(counts.namesakesHome + relatives, differExpected, differTwoPeople);
  // Given names beyond a typo with a date of birth missing: twins' or any relative's records, among the
  // pairs at one home whose given names differ.
  model[GIVEN_DIFFER_DOB_MISSING] = stratum(
    counts.twinsHome + relatives,
    twinsHomeExpected + bothExpected,
    twinsHome + relativesTwoPeople,
  );
  // With neither, only the family name and the home agree: any member of the household.
  const all = counts.agreeHome + counts.twinsHome + counts.namesakesHome + relatives;
  const allTwoPeople = twinsHome + differTwoPeople;
  model[NOTHING_BUT_HOME] = stratum(all, all - allTwoPeople, allTwoPeople);
  return model;
}

/** The rates of `MatchRates` from the m probabilities of the given-name and date-of-birth comparisons. */
export function matchRates(givenM: readonly number[], dobM: readonly number[]): MatchRates {
  let agree = 0;
  let beyond = 0;
  givenM.forEach((m, l) => {
    if (GIVEN_AGREE.has(l)) agree += m;
    else if (GIVEN_BEYOND.has(l)) beyond += m;
  });
  let present = 0;
  dobM.forEach((m, l) => (present += l ? m : 0));
  const differ = dobM[DOB_LEVELS.indexOf('same year only')] + dobM[DOB_LEVELS.indexOf('different')];
  return { givenBeyond: beyond / Math.max(1e-9, agree + beyond), dobDiffer: differ / Math.max(1e-9, present) };
}
