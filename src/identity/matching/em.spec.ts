import { estimatePrior, PatternCounter, runEm } from './em';
import { seededRandom } from './random';

/** Pairs drawn from a known Fellegi-Sunter mixture: three comparisons with 3, 4 and 3 levels (0 = null). */
const TRUE = {
  lambda: 0.2,
  m: [
    [0, 0.85, 0.1, 0.05],
    [0, 0.7, 0.15, 0.1, 0.05],
    [0, 0.9, 0.1],
  ],
  u: [
    [0, 0.02, 0.08, 0.9],
    [0, 0.01, 0.04, 0.15, 0.8],
    [0, 0.3, 0.7],
  ],
};

function draw(random: () => number, probabilities: number[]): number {
  let x = random();
  for (let l = 1; l < probabilities.length; l++) {
    x -= probabilities[l];
    if (x < 0) return l;
  }
  return probabilities.length - 1;
}

function sample(pairs: number, seed: number): PatternCounter {
  const random = seededRandom(seed);
  const counter = new PatternCounter(3);
  for (let i = 0; i < pairs; i++) {
    const match = random() < TRUE.lambda;
    counter.add(TRUE.m.map((m, k) => draw(random, match ? m : TRUE.u[k])));
  }
  return counter;
}

/** The largest absolute difference between estimated and true probabilities (level 0 ignored). */
const largestError = (estimated: number[][], truth: number[][]) =>
  Math.max(...truth.flatMap((row, k) => row.map((x, l) => (l ? Math.abs(estimated[k][l] - x) : 0))));

const flat = (K: number[][]) => K.map((row) => row.map(() => 1 / (row.length - 1)).map((x, l) => (l === 0 ? 0 : x)));

describe('EM for the Fellegi-Sunter model', () => {
  it('aggregates comparison vectors into weighted patterns', () => {
    const counter = new PatternCounter(2);
    counter.add([1, 2]);
    counter.add([1, 2], 3);
    counter.add([0, 1]);
    expect(counter.size).toBe(2);
    expect(counter.total).toBe(5);
    expect(counter.patterns().counts).toEqual([4, 1]);
  });

  it('recovers known m, u and λ from unlabelled pairs when estimating both', () => {
    const start = {
      m: TRUE.m.map((r) => r.map((x, l) => (l === 0 ? 0 : l === 1 ? 0.6 : 0.4 / (r.length - 2)))),
      u: flat(TRUE.u),
      lambda: 0.5,
    };
    const result = runEm(sample(60_000, 1).patterns(), start, {
      estimateM: [true, true, true],
      estimateU: true,
      maxIterations: 500,
      tolerance: 1e-7,
      pseudoCount: 0,
    });
    expect(result.converged).toBe(true);
    expect(result.lambda).toBeCloseTo(TRUE.lambda, 2);
    expect(largestError(result.m, TRUE.m)).toBeLessThan(0.02);
    expect(largestError(result.u, TRUE.u)).toBeLessThan(0.02);
  });

  it('recovers m with u fixed (as trained from random pairs), and leaves unestimated comparisons alone', () => {
    const start = { m: flat(TRUE.m), u: TRUE.u, lambda: 0.5 };
    const result = runEm(sample(60_000, 2).patterns(), start, {
      estimateM: [true, true, false],
      pseudoCount: 0,
      maxIterations: 500,
    });
    expect(largestError(result.m.slice(0, 2), TRUE.m.slice(0, 2))).toBeLessThan(0.03);
    expect(result.m[2]).toEqual(flat(TRUE.m)[2]);
    expect(result.u).toEqual(TRUE.u);
  });

  it('estimates the prior as the fixed point of the expected matches over all pairs', () => {
    // 1,000 candidate pairs drawn with λ = 0.2 among 10,000 pairs in total, the rest non-matches.
    const counter = sample(1000, 3);
    const prior = estimatePrior(counter.patterns(), TRUE.m, TRUE.u, 10_000);
    expect(prior).toBeGreaterThan(0.014);
    expect(prior).toBeLessThan(0.026);
  });
});
