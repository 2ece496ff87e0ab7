/**
 * Comparison vectors aggregated into distinct patterns with (weighted) counts: EM then costs per pattern,
 * not per pair, and a few hundred thousand pairs reduce to a few thousand patterns.
 */
export class PatternCounter {
  private readonly index = new Map<string, number>();
  private readonly rows: number[][] = [];
  private readonly counts: number[] = [];
  total = 0;

  constructor(readonly width: number) {}

  add(levels: ArrayLike<number>, weight = 1): void {
    let key = '';
    for (let k = 0; k < this.width; k++) key += String.fromCharCode(65 + levels[k]);
    const at = this.index.get(key);
    if (at === undefined) {
      this.index.set(key, this.rows.length);
      this.rows.push(Array.from({ length: this.width }, (_, k) => levels[k]));
      this.counts.push(weight);
    } else this.counts[at] += weight;
    this.total += weight;
  }

  get size(): number {
    return this.rows.length;
  }

  patterns(): { levels: number[][]; counts: number[] } {
    return { levels: this.rows, counts: this.counts };
  }
}

export interface EmParameters {
  /** Per comparison, per level (index 0, the null level, unused). */
  m: number[][];
  u: number[][];
  /** Proportion of matches among the pairs. */
  lambda: number;
}

export interface EmOptions {
  /** Per comparison: estimate its m (false keeps the value given, e.g. for a blocking rule's own fields). */
  estimateM: boolean[];
  /** Estimate u too (classic EM); otherwise u stays as given (from random sampling). */
  estimateU?: boolean;
  maxIterations?: number;
  tolerance?: number;
  /** Dirichlet pseudo-count per level, in expected pairs, so a level never seen keeps a small probability. */
  pseudoCount?: number;
}

export interface EmResult extends EmParameters {
  iterations: number;
  /** Expected number of matching pairs among the input, per comparison with a non-null level. */
  expectedMatches: number[];
  converged: boolean;
}

/**
 * Expectation-maximisation for the Fellegi-Sunter mixture under conditional independence (Winkler 1988).
 * Comparisons not estimated (or levels at 0, null) contribute no factor to either class.
 */
export function runEm(
  data: { levels: number[][]; counts: number[] },
  start: EmParameters,
  options: EmOptions,
): EmResult {
  const K = start.m.length;
  const maxIterations = options.maxIterations ?? 40;
  const tolerance = options.tolerance ?? 1e-5;
  const alpha = options.pseudoCount ?? 0.5;
  const m = start.m.map((r) => [...r]);
  const u = start.u.map((r) => [...r]);
  let lambda = start.lambda;
  const P = data.levels.length;
  const post = new Float64Array(P);
  let iterations = 0;
  let converged = false;
  let expectedMatches = Array.from({ length: K }, () => 0);
  const logM = m.map((r) => r.map(Math.log));
  const logU = u.map((r) => r.map(Math.log));
  for (; iterations < maxIterations;) {
    iterations++;
    // E step: posterior probability that each pattern is a match.
    const logPrior = Math.log(lambda) - Math.log(1 - lambda);
    for (let p = 0; p < P; p++) {
      const row = data.levels[p];
      let llr = logPrior;
      for (let k = 0; k < K; k++) {
        const l = row[k];
        if (l === 0 || !options.estimateM[k]) continue;
        llr += logM[k][l] - logU[k][l];
      }
      post[p] = 1 / (1 + Math.exp(-llr));
    }
    // M step.
    let total = 0;
    let matched = 0;
    for (let p = 0; p < P; p++) {
      total += data.counts[p];
      matched += data.counts[p] * post[p];
    }
    let delta = Math.abs(matched / total - lambda);
    lambda = clamp(matched / total, 1e-9, 1 - 1e-9);
    expectedMatches = Array.from({ length: K }, () => 0);
    for (let k = 0; k < K; k++) {
      if (!options.estimateM[k]) continue;
      const L = m[k].length;
      const mc = new Float64Array(L);
      const uc = new Float64Array(L);
      for (let p = 0; p < P; p++) {
        const l = data.levels[p][k];
        if (l === 0) continue;
        mc[l] += data.counts[p] * post[p];
        uc[l] += data.counts[p] * (1 - post[p]);
      }
      const mSum = sum(mc) + alpha * (L - 1);
      const uSum = sum(uc) + alpha * (L - 1);
      expectedMatches[k] = sum(mc);
      for (let l = 1; l < L; l++) {
        const next = clamp((mc[l] + alpha) / mSum, 1e-9, 1);
        delta = Math.max(delta, Math.abs(next - m[k][l]));
        m[k][l] = next;
        logM[k][l] = Math.log(next);
        if (options.estimateU) {
          const nextU = clamp((uc[l] + alpha) / uSum, 1e-9, 1);
          delta = Math.max(delta, Math.abs(nextU - u[k][l]));
          u[k][l] = nextU;
          logU[k][l] = Math.log(nextU);
        }
      }
    }
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, u, lambda, iterations, expectedMatches, converged };
}

/**
 * The global proportion of matches among all n(n-1)/2 pairs: the fixed point of λ = Σ P(match | pair, λ) / N
 * over the candidate pairs (each with its sampling weight), taking pairs that no blocking rule proposes as
 * non-matches. It is EM's λ update with m and u held at their trained values.
 */
export function estimatePrior(
  data: { levels: number[][]; counts: number[] },
  m: number[][],
  u: number[][],
  totalPairs: number,
): number {
  const P = data.levels.length;
  const llr = new Float64Array(P);
  for (let p = 0; p < P; p++) {
    let s = 0;
    const row = data.levels[p];
    for (let k = 0; k < row.length; k++) if (row[k]) s += Math.log(m[k][row[k]]) - Math.log(u[k][row[k]]);
    llr[p] = s;
  }
  let lambda = Math.min(0.5, Math.max(1 / totalPairs, 1e-6));
  for (let i = 0; i < 200; i++) {
    const logit = Math.log(lambda) - Math.log(1 - lambda);
    let expected = 0;
    for (let p = 0; p < P; p++) expected += data.counts[p] / (1 + Math.exp(-(llr[p] + logit)));
    const next = clamp(expected / totalPairs, 1e-12, 0.5);
    if (Math.abs(next - lambda) <= 1e-6 * lambda) return next;
    lambda = next;
  }
  return lambda;
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
