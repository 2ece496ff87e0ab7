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
 *
 * In three steps, so that the costly middle one can run on threads (see `levelsInThreads`): `planTraining`
 * draws every sample (the random pairs for u, each rule's pairs for households and EM) in one seeded
 * sequence, `pairLevels` compares the sampled pairs, and `finishTraining` counts and fits them in the order
 * drawn. Whoever compares the pairs, the model is the same.
 */
export function trainModel(
  records: PreparedRecord[],
  config: MatchConfig,
  rules: readonly BlockingRule[],
  identifierKeys: string[],
  blocker = new Blocker(records, rules, config.blocking.maxBlockSize, config.blocking.window),
): { model: MatchModel; report: TrainingReport } {
  const plan = planTraining(records, config, rules, identifierKeys, blocker);
  const levels = new Uint8Array(plan.pairCount * plan.comparisons.length);
  pairLevels(records, plan.comparisons, plan.pairs, levels, 0, plan.pairCount);
  return finishTraining(plan, levels);
}

/** A run of sampled pairs (positions in `TrainingPlan.pairs`) drawn from one blocking rule. */
interface RuleSample {
  rule: number;
  from: number;
  to: number;
  rate: number;
}

/** Every pair training compares, drawn in one seeded sequence (see `trainModel`). */
export interface TrainingPlan {
  records: PreparedRecord[];
  config: MatchConfig;
  rules: readonly BlockingRule[];
  identifierKeys: string[];
  blocker: Blocker;
  tf: TermFrequencies;
  comparisons: Comparison[];
  /** Pair p is records pairs[2p] and pairs[2p + 1]. */
  pairs: Int32Array;
  pairCount: number;
  /** Pairs 0 .. uPairs: the random pairs for u. */
  uPairs: number;
  households: RuleSample[];
  em: RuleSample[];
}

/** Term frequencies, then the sampled pairs of u, household counts and EM, in the order they are drawn. */
export function planTraining(
  records: PreparedRecord[],
  config: MatchConfig,
  rules: readonly BlockingRule[],
  identifierKeys: string[],
  blocker: Blocker,
): TrainingPlan {
  const tf = TermFrequencies.fromRecords(records);
  for (const r of records) tf.annotate(r);
  const comparisons = buildComparisons(identifierKeys);
  const random = seededRandom(config.training.seed);
  let pairs = new Int32Array(1 << 16);
  let count = 0;
  const push = (i: number, j: number) => {
    if (2 * count + 2 > pairs.length) {
      const grown = new Int32Array(2 * pairs.length);
      grown.set(pairs);
      pairs = grown;
    }
    pairs[2 * count] = i;
    pairs[2 * count + 1] = j;
    count++;
  };
  // u from random pairs (all pairs when there are few).
  const n = records.length;
  if ((n * (n - 1)) / 2 <= config.training.uSamplePairs) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) push(i, j);
  } else {
    for (let p = 0; p < config.training.uSamplePairs; p++) {
      const i = Math.floor(random() * n);
      let j = Math.floor(random() * (n - 1));
      if (j >= i) j++;
      push(i, j);
    }
  }
  const uPairs = count;
  // Household views of the candidate pairs of every rule (those on where people live included: that is
  // where households are), each pair once (under the first rule producing it), sampled per rule.
  const households: RuleSample[] = [];
  rules.forEach((_, r) => {
    const rate = Math.min(1, HOUSEHOLD_PAIRS_PER_RULE / Math.max(1, blocker.pairCount(r)));
    const from = count;
    blocker.forEachPairOfRule(r, (i, j) => {
      if (rate < 1 && random() >= rate) return;
      for (let q = 0; q < r; q++) if (blocker.produces(q, i, j)) return;
      push(i, j);
    });
    households.push({ rule: r, from, to: count, rate });
  });
  // EM: a sample of each training rule's pairs.
  const em: RuleSample[] = [];
  rules.forEach((rule, r) => {
    if (!rule.train) return;
    const rate = Math.min(1, config.training.emPairsPerRule / Math.max(1, blocker.pairCount(r)));
    const from = count;
    blocker.forEachPairOfRule(r, (i, j) => {
      if (rate < 1 && random() >= rate) return;
      push(i, j);
    });
    em.push({ rule: r, from, to: count, rate });
  });
  return {
    records,
    config,
    rules,
    identifierKeys,
    blocker,
    tf,
    comparisons,
    pairs,
    pairCount: count,
    uPairs,
    households,
    em,
  };
}

/** The comparison levels of pairs from .. to of `pairs` into `levels` (K bytes a pair). */
export function pairLevels(
  records: readonly PreparedRecord[] | { get(i: number): PreparedRecord },
  comparisons: readonly Comparison[],
  pairs: Int32Array,
  levels: Uint8Array,
  from: number,
  to: number,
): void {
  const K = comparisons.length;
  const get = Array.isArray(records)
    ? (i: number) => (records as readonly PreparedRecord[])[i]
    : (i: number) => (records as { get(i: number): PreparedRecord }).get(i);
  for (let p = from; p < to; p++) {
    const a = get(pairs[2 * p]);
    const b = get(pairs[2 * p + 1]);
    for (let k = 0; k < K; k++) levels[p * K + k] = comparisons[k].compare(a, b);
  }
}

/** Counts the compared pairs of a plan and fits the model (see `trainModel`). */
export function finishTraining(
  plan: TrainingPlan,
  allLevels: Uint8Array,
): { model: MatchModel; report: TrainingReport } {
  const { records, config, rules, identifierKeys, blocker, tf, comparisons, pairs: sampled } = plan;
  const K = comparisons.length;
  const levels = new Uint8Array(K);
  const load = (p: number) => {
    for (let k = 0; k < K; k++) levels[k] = allLevels[p * K + k];
  };
  const { u, pairs: uPairs } = estimateU(comparisons, allLevels, plan.uPairs);
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
  const households = countHouseholds(plan, allLevels, hardNegatives);
  const excludeHouseholds = households.counts.householdsPresent();
  const emOf = new Map(plan.em.map((sample) => [sample.rule, sample]));
  rules.forEach((rule, r) => {
    const pairs = blocker.pairCount(r);
    const sample = emOf.get(r);
    if (!rule.train || !sample) {
      perRule.push({ counter: new PatternCounter(K), report: { rule: rule.name, pairs, sampled: 0, estimated: [] } });
      return;
    }
    const counter = new PatternCounter(K);
    for (let p = sample.from; p < sample.to; p++) {
      const a = records[sampled[2 * p]];
      const b = records[sampled[2 * p + 1]];
      load(p);
      if (hardNegatives.hardNegatives(a, b, levels).length) continue;
      if (excludeHouseholds && hardNegatives.householdPattern(a, b, levels)) continue;
      counter.add(levels);
      if (firstTrainingRule(sampled[2 * p], sampled[2 * p + 1]) === r) union.add(levels, 1 / sample.rate);
    }
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
 * Household views of the sampled candidate pairs (see `planTraining`), weighted back by each rule's
 * sampling rate. Pairs with decisive evidence of two people are left out.
 */
function countHouseholds(
  plan: TrainingPlan,
  allLevels: Uint8Array,
  matchRules: MatchRules,
): { counts: HouseholdCounts; pairs: number } {
  const { records, comparisons, pairs: sampled } = plan;
  const K = comparisons.length;
  const counts = new HouseholdCounts();
  const levels = new Uint8Array(K);
  let pairs = 0;
  for (const sample of plan.households) {
    for (let p = sample.from; p < sample.to; p++) {
      const a = records[sampled[2 * p]];
      const b = records[sampled[2 * p + 1]];
      for (let k = 0; k < K; k++) levels[k] = allLevels[p * K + k];
      if (matchRules.hardNegatives(a, b, levels).length) continue;
      pairs += 1 / sample.rate;
      counts.add(matchRules.householdView(a, b, levels), 1 / sample.rate);
    }
  }
  return { counts, pairs };
}

/** u from the random pairs (the first `count` of a plan), with a pseudo-count so no level has u = 0. */
function estimateU(comparisons: Comparison[], allLevels: Uint8Array, count: number): { u: number[][]; pairs: number } {
  const K = comparisons.length;
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  for (let p = 0; p < count; p++) for (let k = 0; k < K; k++) counts[k][allLevels[p * K + k]]++;
  const u = counts.map((c) => {
    let present = 0;
    for (let l = 1; l < c.length; l++) present += c[l];
    return Array.from(c, (x, l) => (l === 0 ? 0 : (x + 1) / (present + c.length - 1)));
  });
  return { u, pairs: count };
}

/** EM's starting m: most matches agree exactly, a few at each partial level, few disagree. */
function startingM(c: Comparison): number[] {
  const L = c.levels.length;
  if (L === 3) return [0, 0.9, 0.1];
  const partial = 0.3 / (L - 3);
  return Array.from({ length: L }, (_, l) => (l === 0 ? 0 : l === 1 ? 0.65 : l === L - 1 ? 0.05 : partial));
}
