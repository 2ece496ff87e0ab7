import { buildComparisons, Comparison, nameBuiltEmail } from './comparisons';
import { HOUSEHOLD_COMPARISONS, HouseholdModel, HouseholdPattern } from './household';
import { MatchConfig, matchConfig, MatchConfigInput } from './match-config';
import { DecisiveNegative, HardNegative, MatchRules } from './match-rules';
import { TermFrequencies, TermFrequencySummary } from './term-frequencies';
import { PreparedRecord } from './types';

export interface ComparisonParameters {
  name: string;
  levels: string[];
  /** P(level | match), index 0 (null) unused. */
  m: number[];
  /** P(level | non-match). */
  u: number[];
}

export interface FieldExplanation {
  comparison: string;
  level: string;
  /** log2 Bayes factor this field contributes (0 when missing on either side). */
  weight: number;
  /** Set when the weight was lowered because the agreeing value is common. */
  termFrequency?: number;
}

export type Decision = 'link' | 'review' | 'no-link';

export interface QuickScore {
  weight: number;
  deterministic: boolean;
  /** Decisive evidence of two people (see MatchRules): never linked, never in one cluster. */
  hardNegative: boolean;
  /** The decisive negatives, and the household pattern when it leaves the pair on balance two people. */
  hardNegatives: HardNegative[];
  /** The household pattern whose weight capped the pair's (see household.ts), if any. */
  household: HouseholdPattern | null;
  /** The sum of the negative field weights: how much of the evidence speaks against a match (0: none). */
  against: number;
}

export interface PairScore {
  /** Total match weight: log2 prior odds plus every field's log2 Bayes factor. */
  weight: number;
  probability: number;
  decision: Decision;
  method: 'probabilistic' | 'deterministic';
  /** The deterministic rule that matched, if any. */
  rule?: string;
  hardNegatives: HardNegative[];
  /** Household evidence that lowered the weight (the pattern, and by how much). */
  cautions: string[];
  priorWeight: number;
  fields: FieldExplanation[];
}

export interface ModelJson {
  format: 'hub-identity-match-model';
  version: 1;
  /** Probability that two records drawn at random are the same person. */
  prior: number;
  identifierKeys: string[];
  /** Free-named identifiers that the training data shows to be personal (see MatchRules). */
  personalIdentifiers: string[];
  comparisons: ComparisonParameters[];
  termFrequencies: TermFrequencySummary;
  /** Household patterns the training data holds in excess, with their log odds (see household.ts). */
  household?: HouseholdModel;
  config: MatchConfig;
}

export const MODEL_FORMAT = 'hub-identity-match-model';

/**
 * A trained Fellegi-Sunter model: m and u per comparison level, the prior, term frequencies, the rules
 * and the decision thresholds. Scores pairs of prepared records; holds no records itself.
 */
export class MatchModel {
  readonly comparisons: Comparison[];
  readonly rules: MatchRules;
  readonly priorWeight: number;
  readonly linkWeight: number;
  readonly reviewWeight: number;
  private readonly weights: Float64Array[];
  private readonly exactWeight: number[];
  private readonly buffer: Uint8Array;
  /** Whether each comparison is part of the household patterns (given, family, date of birth, address). */
  private readonly inHousehold: boolean[];
  private readonly kSex: number;
  private readonly kEmail: number;
  /** Per comparison and level: a near agreement of the same name in place, capped by the exact weight. */
  private readonly nearLevels: boolean[][];
  /** Comparisons in the order `batchScore` computes them: the cheap and telling first. */
  private readonly boundOrder: number[];
  /** Per comparison: the most its weight can add (its highest level's weight, or 0 for a missing field). */
  private readonly mostOf: Float64Array;
  /** The prior weight plus the most every comparison can add: no pair weighs more. */
  private readonly mostWeight: number;

  constructor(
    readonly params: ComparisonParameters[],
    readonly prior: number,
    readonly tf: TermFrequencies,
    readonly config: MatchConfig,
    readonly identifierKeys: string[],
    readonly personalIdentifiers: string[] = [],
    readonly household: HouseholdModel = {},
  ) {
    this.comparisons = buildComparisons(identifierKeys);
    const names = this.comparisons.map((c) => c.name).join();
    if (names !== params.map((p) => p.name).join())
      throw new Error(`model parameters do not match comparisons (${names})`);
    this.weights = params.map((p) => Float64Array.from(p.m, (m, l) => (l === 0 ? 0 : Math.log2(m / p.u[l]))));
    this.exactWeight = this.comparisons.map((c, k) => (c.tf ? this.weights[k][c.tf.level] : 0));
    this.priorWeight = Math.log2(prior / (1 - prior));
    this.linkWeight = logit2(config.thresholds.autoLink);
    this.reviewWeight = logit2(config.thresholds.review);
    this.rules = new MatchRules(config.rules, this.comparisons);
    this.buffer = new Uint8Array(this.comparisons.length);
    this.inHousehold = this.comparisons.map((c) => (HOUSEHOLD_COMPARISONS as readonly string[]).includes(c.name));
    this.kSex = this.comparisons.findIndex((c) => c.name === 'sex');
    this.kEmail = this.comparisons.findIndex((c) => c.name === 'email');
    this.nearLevels = this.comparisons.map((c) =>
      c.levels.map((l) => (c.name === 'givenName' || c.name === 'familyName') && NEAR_NAME_LEVELS.includes(l)),
    );
    this.mostOf = Float64Array.from(this.weights, (w) => Math.max(0, ...w.subarray(1)));
    this.mostWeight = this.mostOf.reduce((sum, w) => sum + w, this.priorWeight);
    const rank = (name: string) => {
      const at = BOUND_ORDER.indexOf(name);
      return at < 0 ? BOUND_ORDER.indexOf('identifiers') : at;
    };
    this.boundOrder = this.comparisons
      .map((_, k) => k)
      .sort((x, y) => rank(this.comparisons[x].name) - rank(this.comparisons[y].name) || x - y);
  }

  levelsInto(a: PreparedRecord, b: PreparedRecord, out: Uint8Array): void {
    for (let k = 0; k < this.comparisons.length; k++) out[k] = this.comparisons[k].compare(a, b);
  }

  /**
   * The weight of one field at a level, adjusted down when the agreeing value is common. A near agreement
   * of a name (Jaro-Winkler, a typo, a sound-alike) weighs at most what the exact agreement would for the
   * commoner of the two names: wi1liams / williams is no stronger evidence than williams / williams.
   */
  fieldWeight(
    k: number,
    level: number,
    a: PreparedRecord,
    b?: PreparedRecord,
  ): { weight: number; termFrequency?: number } {
    const c = this.comparisons[k];
    const base = this.weights[k][level];
    if (b && this.nearLevels[k][level] && base > 0) return { weight: Math.min(base, this.exactCap(k, a, b)) };
    if (!c.tf || level !== c.tf.level) return { weight: base };
    const value = c.tf.value(a);
    if (value === null) return { weight: base };
    const frequency = this.tf.frequency(c.tf.column, value);
    const adjusted = Math.log2(this.params[k].m[level] / frequency);
    // Only ever lowers: a rare shared value is no licence to outweigh the rest (households share them).
    return adjusted < this.exactWeight[k] ? { weight: adjusted, termFrequency: frequency } : { weight: base };
  }

  /** The exact level's weight for the commoner of two records' values of a term-frequency comparison. */
  private exactCap(k: number, a: PreparedRecord, b: PreparedRecord): number {
    const tf = this.comparisons[k].tf;
    if (!tf) return Infinity;
    const va = tf.value(a);
    const vb = tf.value(b);
    const frequency = Math.max(
      va === null ? 0 : this.tf.frequency(tf.column, va),
      vb === null ? 0 : this.tf.frequency(tf.column, vb),
    );
    const exact = this.exactWeight[k];
    const adjusted = frequency > 0 ? Math.log2(this.params[k].m[tf.level] / frequency) : Infinity;
    return adjusted < exact ? adjusted : Infinity;
  }

  /** Match weight of a pair whose levels are already computed (before household evidence). */
  weightOf(a: PreparedRecord, levels: ArrayLike<number>): number {
    return this.weightsOf(a, levels).weight;
  }

  /** The weight, and the part of it from comparisons outside the household patterns (no prior). */
  private weightsOf(
    a: PreparedRecord,
    levels: ArrayLike<number>,
    b?: PreparedRecord,
  ): { weight: number; other: number; against: number } {
    let w = this.priorWeight;
    let other = 0;
    let against = 0;
    for (let k = 0; k < levels.length; k++) {
      const l = levels[k];
      if (!l) continue;
      const fw =
        (this.comparisons[k].tf && l === this.comparisons[k].tf?.level) || (b && this.nearLevels[k][l])
          ? this.fieldWeight(k, l, a, b).weight
          : this.weights[k][l];
      w += fw;
      if (fw < 0) against += fw;
      // Beside a household pattern: identifiers, phone, email unless built from the names alone (namesakes
      // get such addresses too), and sex only where it differs (relatives of one name share it).
      if (this.inHousehold[k] || (k === this.kSex && fw > 0) || (k === this.kEmail && b && nameBuiltEmail(a, b)))
        continue;
      other += fw;
    }
    return { weight: w, other, against };
  }

  /**
   * Weight with household evidence: a pair in a household pattern that the training data holds in excess
   * (twins, namesakes at one home, ...) weighs at most the pattern's log odds plus the evidence of the
   * fields outside it. Never raises a weight.
   */
  private evaluate(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>) {
    const { weight: base, other, against } = this.weightsOf(a, levels, b);
    const decisive: DecisiveNegative[] = this.rules.hardNegatives(a, b, levels);
    let weight = base;
    let household: HouseholdPattern | null = null;
    const pattern = this.rules.householdPattern(a, b, levels);
    const stratum = pattern ? this.household[pattern] : undefined;
    if (pattern && stratum && stratum.logOdds + other < base) {
      weight = stratum.logOdds + other;
      household = pattern;
    }
    const hardNegatives: HardNegative[] = household && weight < this.reviewWeight ? [...decisive, household] : decisive;
    return { base, weight, decisive, household, hardNegatives, against };
  }

  /**
   * The fast path for batch scoring: weight, and whether a deterministic rule or a hard negative applies.
   * Deterministic matches report at least the auto-link weight.
   */
  quickScore(a: PreparedRecord, b: PreparedRecord): QuickScore {
    const levels = this.buffer;
    this.levelsInto(a, b, levels);
    return this.scoreLevels(a, b, levels);
  }

  private scoreLevels(a: PreparedRecord, b: PreparedRecord, levels: Uint8Array): QuickScore {
    const e = this.evaluate(a, b, levels);
    const hardNegative = e.decisive.length > 0;
    const deterministic = !hardNegative && this.rules.deterministic(a, b) !== null;
    const weight = deterministic ? Math.max(e.weight, this.linkWeight) : e.weight;
    return {
      weight,
      deterministic,
      hardNegative,
      hardNegatives: deterministic ? [] : e.hardNegatives,
      household: e.household,
      against: e.against,
    };
  }

  /**
   * `quickScore` for batch scoring, where a pair below the review weight matters no more than that: null
   * when the pair cannot reach the review weight, found without computing every comparison. Fields are
   * compared cheapest first, and after each the weight the pair could still reach at most (the prior, the
   * base weights of the levels found, the highest weight of each comparison not yet made) is checked;
   * term frequencies, the near-name cap and household evidence only ever lower a weight, so a pair
   * stopped early would have scored below the review weight in full too. A pair a deterministic rule
   * links is never stopped. Otherwise the same as `quickScore`, number for number.
   */
  batchScore(a: PreparedRecord, b: PreparedRecord): QuickScore | null {
    const levels = this.buffer;
    const order = this.boundOrder;
    // A margin far above rounding: the bound sums in another order than the weight does.
    const floor = this.reviewWeight - 1e-6;
    let most = this.mostWeight;
    let checkDeterministic = true;
    for (let o = 0; o < order.length; o++) {
      const k = order[o];
      const l = this.comparisons[k].compare(a, b);
      levels[k] = l;
      most += (l ? this.weights[k][l] : 0) - this.mostOf[k];
      if (most < floor && checkDeterministic) {
        if (this.rules.deterministic(a, b) === null) return null;
        checkDeterministic = false;
      }
    }
    return this.scoreLevels(a, b, levels);
  }

  /** Full explanation of a pair: every field's level and weight, rules applied, and the decision. */
  score(a: PreparedRecord, b: PreparedRecord): PairScore {
    const levels = new Uint8Array(this.comparisons.length);
    this.levelsInto(a, b, levels);
    const fields: FieldExplanation[] = [];
    this.comparisons.forEach((c, k) => {
      const l = levels[k];
      const fw = l ? this.fieldWeight(k, l, a, b) : { weight: 0 };
      fields.push({
        comparison: c.name,
        level: c.levels[l],
        weight: round(fw.weight),
        ...(fw.termFrequency !== undefined ? { termFrequency: fw.termFrequency } : {}),
      });
    });
    const e = this.evaluate(a, b, levels);
    const weight = e.weight;
    if (e.household) fields.push({ comparison: 'household', level: e.household, weight: round(e.weight - e.base) });
    const rule = e.decisive.length ? undefined : (this.rules.deterministic(a, b) ?? undefined);
    const probability = probabilityOf(weight);
    const cautions = e.household
      ? [
          `household members the records cannot tell apart (${e.household}): the weight lowered from ${round(e.base)} to ${round(e.weight)}`,
        ]
      : [];
    let decision: Decision = weight >= this.linkWeight ? 'link' : weight >= this.reviewWeight ? 'review' : 'no-link';
    const deterministicConflict = e.decisive.length > 0 && this.rules.deterministic(a, b) !== null;
    // A decisive negative never links; a deterministic rule that meets one is a conflict for a person to see.
    if (e.decisive.length) decision = deterministicConflict || decision !== 'no-link' ? 'review' : 'no-link';
    else if (rule) decision = 'link';
    return {
      weight: round(weight),
      probability,
      decision,
      method: rule ? 'deterministic' : 'probabilistic',
      ...(rule ? { rule } : {}),
      hardNegatives: rule ? [] : e.hardNegatives,
      cautions,
      priorWeight: round(this.priorWeight),
      fields,
    };
  }

  toJSON(): ModelJson {
    return {
      format: MODEL_FORMAT,
      version: 1,
      prior: this.prior,
      identifierKeys: this.identifierKeys,
      personalIdentifiers: this.personalIdentifiers,
      comparisons: this.params,
      termFrequencies: this.tf.toJSON(),
      household: this.household,
      config: this.config,
    };
  }

  static fromJSON(json: ModelJson, configOverride?: MatchConfigInput): MatchModel {
    if (json?.format !== MODEL_FORMAT || json.version !== 1) throw new Error('not a version 1 identity match model');
    const config = configOverride ? matchConfig(configOverride) : matchConfig(json.config);
    const current = buildComparisons(json.identifierKeys);
    return new MatchModel(
      json.comparisons.map((p, k) => withLevelsOf(p, current[k]?.levels)),
      json.prior,
      TermFrequencies.fromJSON(json.termFrequencies),
      config,
      json.identifierKeys,
      json.personalIdentifiers ?? [],
      json.household ?? {},
    );
  }
}

/**
 * A stored comparison's parameters on the levels the comparison has now. A level added since the model
 * was trained (a free-named identifier's "two edits") takes the parameters of the next level the stored
 * model has, where the comparison then put such pairs ("different"), so a stored model scores as it did.
 */
function withLevelsOf(p: ComparisonParameters, levels: readonly string[] | undefined): ComparisonParameters {
  if (!levels || !p.levels || p.levels.join() === levels.join()) return p;
  const m: number[] = [];
  const u: number[] = [];
  const out: string[] = [];
  for (let l = 0; l < levels.length; l++) {
    let from = p.levels.indexOf(levels[l]);
    for (let next = l + 1; from < 0 && next < levels.length; next++) from = p.levels.indexOf(levels[next]);
    if (from < 0) return p;
    m.push(p.m[from]);
    u.push(p.u[from]);
    out.push(levels[l]);
  }
  return { name: p.name, levels: out, m, u };
}

/**
 * The order in which `batchScore` compares fields: the cheap ones first (dates of birth, identifiers, sex,
 * and phone and email, mostly missing on one side), then the costly ones by how often they rule a candidate
 * pair out (given names tell the relatives and neighbours of the blocks apart most often, then addresses;
 * measured on the synthetic borough).
 */
const BOUND_ORDER: readonly string[] = [
  'dateOfBirth',
  'nino',
  'nhsNumber',
  'identifiers',
  'sex',
  'phone',
  'email',
  'middleNames',
  'givenName',
  'address',
  'familyName',
];

/** Name levels that compare a name with the same name in place, short of exact. */
const NEAR_NAME_LEVELS: readonly string[] = [
  'jaro-winkler >= 0.92',
  'typo: one edit or letters swapped',
  'double metaphone',
  'jaro-winkler >= 0.80',
];

export function probabilityOf(weight: number): number {
  return 1 / (1 + Math.pow(2, -weight));
}

export function logit2(probability: number): number {
  return Math.log2(probability / (1 - probability));
}

const round = (x: number) => Math.round(x * 1000) / 1000;
