import { Blocker } from './blocker';
import { BlockingRule } from './blocking-keys';
import { buildComparisons, Comparison } from './comparisons';
import { estimatePrior, PatternCounter, runEm } from './em';
import { estimateHousehold, familiesAlike, HouseholdCounts, HouseholdModel, matchRates } from './household';
import { MatchConfig } from './match-config';
import { MatchRules } from './match-rules';
import { ComparisonParameters, MatchModel } from './match-model';
import { seededRandom } from './random';
import { TermFrequencies } from './term-frequencies';
import { PreparedRecord } from './types';

export interface RuleTraining {
  rule: string;
  pairs: number;
  sampled: number;
  /** Estimated proportion of matches among the rule's pairs. */
  lambda?: number;
  iterations?: number;
  converged?: boolean;
  /** Comparisons whose m this rule contributed to. */
  estimated: string[];
}

export interface TrainingReport {
  records: number;
  uPairs: number;
  rules: RuleTraining[];
  prior: number;
  expectedMatchingPairs: number;
  /** Comparisons no rule could estimate; they are neutral (m = u) in the model. */
  neutral: string[];
  personalIdentifiers: string[];
  /** Household patterns found in excess in the candidate pairs, with their log odds (see household.ts). */
  household: HouseholdModel;
  /** Candidate pairs looked at (sampled, weighted) to estimate them. */
  householdPairs: number;
}

/** Candidate pairs sampled per blocking rule to count household patterns. */
const HOUSEHOLD_PAIRS_PER_RULE = 200_000;

/**
 * A free-named identifier is taken as personal when EM finds that at least this share of the pairs sharing
 * it are the same person; a household key (a council tax account) is shared mostly by different people.
 */
const PERSONAL_IDENTIFIER_MATCH_SHARE = 0.9;

/** Expected matches (with the field present) a rule needs before its m estimate for a field is used. */
const MIN_EXPECTED_MATCHES = 5;

/**
 * Trains a model on unlabelled records, as Splink does: u from random pairs; m by EM on the pairs of each
 * blocking rule, for the comparisons that rule does not constrain, averaged over rules; the prior from
 * the candidate pairs of all rules at the trained m and u; term frequencies from the records.
 */
export function trainModel(
  records: PreparedRecord[],
  config: MatchConfig,
  rules: readonly BlockingRule[],
  identifierKeys: string[],
  blocker = new Blocker(records, rules, config.blocking.maxBlockSize, config.blocking.window),
): { model: MatchModel; report: TrainingReport } {
  let pairs: UPairs = { all: true };
  const finish = startTraining(records, config, rules, identifierKeys, blocker, (chosen) => {
    pairs = chosen;
  });
  return finish(countU(records.length, (i) => records[i], buildComparisons(identifierKeys), pairs));
}

/** The random pairs u is estimated from (every pair of a small batch: `all`). */
export type UPairs = { all: true } | { all: false; i: Int32Array; j: Int32Array };

/**
 * Training in two steps, so that u's pairs can be compared on another thread meanwhile (see
 * `IdentityMatcher.trainInThreads`): term frequencies (address weights filled in), u's random pairs (handed
 * to `onUPairs` as soon as they are drawn, the records' weights already set), household counts and the
 * EM samples; then, given the level counts of u's pairs (`countU`), the rest. `trainModel` is the two in a
 * row. The random pairs are drawn first, as before, so everything drawn after them is the same.
 */
export function startTraining(
  records: PreparedRecord[],
  config: MatchConfig,
  rules: readonly BlockingRule[],
  identifierKeys: string[],
  blocker: Blocker,
  onUPairs: (pairs: UPairs) => void,
): (uCounts: Float64Array[]) => { model: MatchModel; report: TrainingReport } {
  const tf = TermFrequencies.fromRecords(records);
  for (const r of records) tf.annotate(r);
  const comparisons = buildComparisons(identifierKeys);
  const random = seededRandom(config.training.seed);
  const chosen = chooseUPairs(records.length, config.training.uSamplePairs, random);
  onUPairs(chosen);

  const K = comparisons.length;
  const levels = new Uint8Array(K);
  const firstTrainingRule = (i: number, j: number) => {
    for (let r = 0; r < rules.length; r++) if (rules[r].train && blocker.produces(r, i, j)) return r;
    return -1;
  };
  const union = new PatternCounter(K);
  const perRule: { counter: PatternCounter; report: RuleTraining }[] = [];
  // Decisive non-matches (two NINOs, Jr / Sr) stay out of EM: they would teach it that the same person can
  // have another given name or date of birth. So do pairs in a household pattern when the data holds
  // households (twins, namesakes); without households such pairs are one person's records with an error,
  // and EM must see them to learn how often that happens (see household.ts).
  const hardNegatives = new MatchRules(config.rules, comparisons);
  const households = countHouseholds(records, rules, blocker, comparisons, hardNegatives, random);
  const excludeHouseholds = households.counts.householdsPresent();
  rules.forEach((rule, r) => {
    const pairs = blocker.pairCount(r);
    if (!rule.train) {
      perRule.push({ counter: new PatternCounter(K), report: { rule: rule.name, pairs, sampled: 0, estimated: [] } });
      return;
    }
    const rate = Math.min(1, config.training.emPairsPerRule / Math.max(1, pairs));
    const counter = new PatternCounter(K);
    blocker.forEachSampledPairOfRule(r, rate, random, (i, j) => {
      for (let k = 0; k < K; k++) levels[k] = comparisons[k].compare(records[i], records[j]);
      if (hardNegatives.hardNegatives(records[i], records[j], levels).length) return;
      if (excludeHouseholds && hardNegatives.householdPattern(records[i], records[j], levels)) return;
      counter.add(levels);
      if (firstTrainingRule(i, j) === r) union.add(levels, 1 / rate);
    });
    perRule.push({ counter, report: { rule: rule.name, pairs, sampled: counter.total, estimated: [] } });
  });

  return (uCounts) => {
    const { u, pairs: uPairs } = uFromCounts(uCounts, records.length, chosen);
    const sums = comparisons.map((c) => Array.from({ length: c.levels.length }, () => 0));
    const used = Array.from({ length: K }, () => 0);
    // The m of each rule's own EM, for the error rates of household estimation (see below).
    const ruleM: (number[][] | null)[] = rules.map(() => null);
    const ruleEstimated: boolean[][] = rules.map(() => []);
    perRule.forEach(({ counter, report }, r) => {
      if (counter.total < 10) return;
      const estimateM = comparisons.map((c) => !rules[r].excludes.includes(c.name));
      const result = runEm(
        counter.patterns(),
        { m: comparisons.map(startingM), u, lambda: 0.3 },
        { estimateM, maxIterations: config.training.emMaxIterations },
      );
      report.lambda = result.lambda;
      report.iterations = result.iterations;
      report.converged = result.converged;
      ruleM[r] = result.m;
      for (let k = 0; k < K; k++) {
        ruleEstimated[r][k] = estimateM[k] && result.expectedMatches[k] >= MIN_EXPECTED_MATCHES;
        if (!estimateM[k] || result.expectedMatches[k] < MIN_EXPECTED_MATCHES) continue;
        report.estimated.push(comparisons[k].name);
        for (let l = 1; l < sums[k].length; l++) sums[k][l] += result.m[k][l];
        used[k]++;
      }
    });
    const neutral: string[] = [];
    const m = comparisons.map((c, k) => {
      if (!used[k]) {
        neutral.push(c.name);
        return [...u[k]];
      }
      return sums[k].map((s, l) => (l === 0 ? 0 : s / used[k]));
    });
    const personalIdentifiers = identifierKeys.filter((key) => {
      const r = rules.findIndex((rule) => rule.keys.length === 1 && rule.keys[0] === `identifier:${key}`);
      const lambda = r >= 0 ? perRule[r].report.lambda : undefined;
      return lambda !== undefined && lambda >= PERSONAL_IDENTIFIER_MATCH_SHARE && perRule[r].counter.total >= 10;
    });
    const n = records.length;
    const totalPairs = Math.max(1, (n * (n - 1)) / 2);
    const prior = estimatePrior(union.patterns(), m, u, totalPairs);
    const params: ComparisonParameters[] = comparisons.map((c, k) => ({
      name: c.name,
      levels: [...c.levels],
      m: m[k],
      u: u[k],
    }));
    const kGiven = comparisons.findIndex((c) => c.name === 'givenName');
    const kDob = comparisons.findIndex((c) => c.name === 'dateOfBirth');
    // How often one person's records disagree on the given name or the date of birth, from the rules on
    // personal identifiers where they have pairs enough (pairs sharing a NINO are one person, whereas pairs
    // sharing a name include namesakes, whom EM cannot always tell apart); else from every rule.
    const anchors = rules
      .map((rule, r) =>
        rule.keys.length === 1 &&
        (rule.keys[0] === 'nino' ||
          rule.keys[0] === 'nhsNumber' ||
          personalIdentifiers.some((key) => rule.keys[0] === `identifier:${key}`))
          ? r
          : -1,
      )
      .filter((r) => r >= 0);
    const anchored = (k: number) => {
      const from = anchors.filter((r) => ruleM[r] && ruleEstimated[r][k]);
      if (!from.length) return m[k];
      return m[k].map((_, l) => from.reduce((sum, r) => sum + (ruleM[r] as number[][])[k][l], 0) / from.length);
    };
    const rates = matchRates(anchored(kGiven), anchored(kDob));
    const household = estimateHousehold(households.counts, rates);
    if (process.env.DEBUG_HOUSEHOLD)
      process.stderr.write(
        `${JSON.stringify({ ...households.counts, present: households.counts.householdsPresent(), rates })}\n`,
      );
    const model = new MatchModel(params, prior, tf, config, identifierKeys, personalIdentifiers, household);
    return {
      model,
      report: {
        records: n,
        uPairs,
        rules: perRule.map((p) => p.report),
        prior,
        expectedMatchingPairs: prior * totalPairs,
        neutral,
        personalIdentifiers,
        household,
        householdPairs: Math.round(households.pairs),
      },
    };
  };
}

/**
 * Household views of the candidate pairs of every rule (those on where people live included: that is
 * where households are), each pair once (under the first rule producing it), sampled per rule and weighted
 * back. Pairs with decisive evidence of two people are left out.
 */
function countHouseholds(
  records: PreparedRecord[],
  rules: readonly BlockingRule[],
  blocker: Blocker,
  comparisons: Comparison[],
  matchRules: MatchRules,
  random: () => number,
): { counts: HouseholdCounts; pairs: number } {
  const counts = new HouseholdCounts();
  // Only the comparisons the decisive negatives and the household view read are made (the others are not
  // read); dates of birth and homes only for pairs whose family names are alike (`familiesAlike`).
  const levels = new Uint8Array(comparisons.length);
  const at = (name: string) => comparisons.findIndex((c) => c.name === name);
  const always = ['nino', 'nhsNumber', 'givenName', 'familyName'].map(at);
  const [kGiven, kFamily] = always.slice(2);
  const ofFamily = ['dateOfBirth', 'address'].map(at);
  let pairs = 0;
  rules.forEach((_, r) => {
    const rate = Math.min(1, HOUSEHOLD_PAIRS_PER_RULE / Math.max(1, blocker.pairCount(r)));
    blocker.forEachSampledPairOfRule(r, rate, random, (i, j) => {
      for (let q = 0; q < r; q++) if (blocker.produces(q, i, j)) return;
      const a = records[i];
      const b = records[j];
      for (const k of always) levels[k] = comparisons[k].compare(a, b);
      if (matchRules.hardNegatives(a, b, levels).length) return;
      pairs += 1 / rate;
      if (!familiesAlike(levels[kGiven], levels[kFamily])) return;
      for (const k of ofFamily) levels[k] = comparisons[k].compare(a, b);
      counts.add(matchRules.householdView(a, b, levels), 1 / rate);
    });
  });
  return { counts, pairs };
}

/** u's random pairs (all pairs when there are few). */
function chooseUPairs(n: number, maxPairs: number, random: () => number): UPairs {
  if ((n * (n - 1)) / 2 <= maxPairs) return { all: true };
  const is = new Int32Array(new SharedArrayBuffer(4 * maxPairs));
  const js = new Int32Array(new SharedArrayBuffer(4 * maxPairs));
  for (let p = 0; p < maxPairs; p++) {
    const i = Math.floor(random() * n);
    let j = Math.floor(random() * (n - 1));
    if (j >= i) j++;
    is[p] = i;
    js[p] = j;
  }
  return { all: false, i: is, j: js };
}

/**
 * How many of u's pairs (`from` to `to` of them) fall at each level of each comparison. Counts are whole
 * numbers, so counts of parts of the pairs add up to exactly the counts of all.
 */
export function countU(
  n: number,
  record: (i: number) => PreparedRecord,
  comparisons: Comparison[],
  pairs: UPairs,
  from = 0,
  to = pairs.all ? 0 : pairs.i.length,
): Float64Array[] {
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  const visit = (a: PreparedRecord, b: PreparedRecord) => {
    for (let k = 0; k < comparisons.length; k++) counts[k][comparisons[k].compare(a, b)]++;
  };
  if (pairs.all) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) visit(record(i), record(j));
  } else {
    for (let p = from; p < to; p++) visit(record(pairs.i[p]), record(pairs.j[p]));
  }
  return counts;
}

/** u from the level counts of its pairs, with a pseudo-count so no level has u = 0. */
function uFromCounts(counts: Float64Array[], n: number, pairs: UPairs): { u: number[][]; pairs: number } {
  const u = counts.map((c) => {
    let present = 0;
    for (let l = 1; l < c.length; l++) present += c[l];
    return Array.from(c, (x, l) => (l === 0 ? 0 : (x + 1) / (present + c.length - 1)));
  });
  return { u, pairs: pairs.all ? (n * (n - 1)) / 2 : pairs.i.length };
}

/** EM's starting m: most matches agree exactly, a few at each partial level, few disagree. */
function startingM(c: Comparison): number[] {
  const L = c.levels.length;
  if (L === 3) return [0, 0.9, 0.1];
  const partial = 0.3 / (L - 3);
  return Array.from({ length: L }, (_, l) => (l === 0 ? 0 : l === 1 ? 0.65 : l === L - 1 ? 0.05 : partial));
}
