import { Blocker } from './blocker';
import { BlockingRule } from './blocking-keys';
import { buildComparisons, Comparison } from './comparisons';
import { estimatePrior, PatternCounter, runEm } from './em';
import { estimateHousehold, HouseholdCounts, HouseholdModel, matchRates } from './household';
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
  const tf = TermFrequencies.fromRecords(records);
  for (const r of records) tf.annotate(r);
  const comparisons = buildComparisons(identifierKeys);
  const random = seededRandom(config.training.seed);
  const { u, pairs: uPairs } = estimateU(records, comparisons, config.training.uSamplePairs, random);

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
    blocker.forEachPairOfRule(r, (i, j) => {
      if (rate < 1 && random() >= rate) return;
      for (let k = 0; k < K; k++) levels[k] = comparisons[k].compare(records[i], records[j]);
      if (hardNegatives.hardNegatives(records[i], records[j], levels).length) return;
      if (excludeHouseholds && hardNegatives.householdPattern(records[i], records[j], levels)) return;
      counter.add(levels);
      if (firstTrainingRule(i, j) === r) union.add(levels, 1 / rate);
    });
    perRule.push({ counter, report: { rule: rule.name, pairs, sampled: counter.total, estimated: [] } });
  });

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
  const levels = new Uint8Array(comparisons.length);
  let pairs = 0;
  rules.forEach((_, r) => {
    const rate = Math.min(1, HOUSEHOLD_PAIRS_PER_RULE / Math.max(1, blocker.pairCount(r)));
    blocker.forEachPairOfRule(r, (i, j) => {
      if (rate < 1 && random() >= rate) return;
      for (let q = 0; q < r; q++) if (blocker.produces(q, i, j)) return;
      const a = records[i];
      const b = records[j];
      for (let k = 0; k < comparisons.length; k++) levels[k] = comparisons[k].compare(a, b);
      if (matchRules.hardNegatives(a, b, levels).length) return;
      pairs += 1 / rate;
      counts.add(matchRules.householdView(a, b, levels), 1 / rate);
    });
  });
  return { counts, pairs };
}

/** u from random pairs (all pairs when there are few), with a pseudo-count so no level has u = 0. */
function estimateU(
  records: PreparedRecord[],
  comparisons: Comparison[],
  maxPairs: number,
  random: () => number,
): { u: number[][]; pairs: number } {
  const n = records.length;
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  const visit = (i: number, j: number) => {
    for (let k = 0; k < comparisons.length; k++) counts[k][comparisons[k].compare(records[i], records[j])]++;
  };
  let pairs = 0;
  if ((n * (n - 1)) / 2 <= maxPairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) visit(i, j);
    pairs = (n * (n - 1)) / 2;
  } else {
    for (; pairs < maxPairs; pairs++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      visit(i, j);
    }
  }
  const u = counts.map((c) => {
    let present = 0;
    for (let l = 1; l < c.length; l++) present += c[l];
    return Array.from(c, (x, l) => (l === 0 ? 0 : (x + 1) / (present + c.length - 1)));
  });
  return { u, pairs };
}

/** EM's starting m: most matches agree exactly, a few at each partial level, few disagree. */
function startingM(c: Comparison): number[] {
  const L = c.levels.length;
  if (L === 3) return [0, 0.9, 0.1];
  const partial = 0.3 / (L - 3);
  return Array.from({ length: L }, (_, l) => (l === 0 ? 0 : l === 1 ? 0.65 : l === L - 1 ? 0.05 : partial));
}
