import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticPopulation } from '../../../bench/match-synthetic';
import { readInputs } from '../cli/csv-input';
import { readMapping, RowMapper } from '../cli/csv-mapping';
import { Blocker } from './blocker';
import { blockingRulesFor } from './blocking-keys';
import { IdentityMatcher } from './identity-matcher';
import { seededRandom } from './random';

const mapping = join(__dirname, '..', '..', '..', 'bench', 'mappings', 'synthetic.json');

describe('Blocker: sampling a rule’s pairs', () => {
  let dir: string;
  let index: Blocker;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'blocker-spec-'));
    const file = join(dir, 'borough.csv');
    await writeSyntheticPopulation({ records: 1500, seed: 3, out: file });
    const batch = await readInputs([file], new RowMapper(readMapping(mapping), mapping));
    const prepared = IdentityMatcher.prepareBatch(batch.records);
    // Small blocks and a short window, so that many blocks are oversized (searched by sorted neighbourhood).
    index = new Blocker(prepared, blockingRulesFor([]), 8, 4);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const pairsOf = (r: number) => {
    const pairs: string[] = [];
    index.forEachPairOfRule(r, (i, j) => pairs.push(`${i}:${j}`));
    return pairs;
  };
  const sampleOf = (r: number, rate: number, seed: number) => {
    const pairs: string[] = [];
    index.forEachSampledPairOfRule(r, rate, seededRandom(seed), (i, j) => pairs.push(`${i}:${j}`));
    return pairs;
  };

  it('counts the pairs it enumerates, oversized blocks included', () => {
    for (let r = 0; r < index.rules.length; r++) expect(pairsOf(r)).toHaveLength(index.pairCount(r));
  });

  it('takes every pair, in order and without a draw, at a rate of 1', () => {
    for (let r = 0; r < index.rules.length; r++) {
      let draws = 0;
      const pairs: string[] = [];
      index.forEachSampledPairOfRule(
        r,
        1,
        () => (draws++, 0.5),
        (i, j) => pairs.push(`${i}:${j}`),
      );
      expect(pairs).toEqual(pairsOf(r));
      expect(draws).toBe(0);
    }
  });

  it('takes pairs of the rule in its order, each at most once, about as many as the rate says', () => {
    const counts = index.rules.map((_, r) => index.pairCount(r));
    const rule = counts.indexOf(Math.max(...counts));
    const all = pairsOf(rule);
    expect(all.length).toBeGreaterThan(2_000);
    const position = new Map(all.map((p, k) => [p, k]));
    for (const [rate, seed] of [
      [0.05, 1],
      [0.3, 2],
      [0.9, 3],
    ]) {
      const sample = sampleOf(rule, rate, seed);
      const at = sample.map((p) => position.get(p) ?? -1);
      expect(at.every((k, n) => k >= 0 && (n === 0 || k > at[n - 1]))).toBe(true);
      const expected = rate * all.length;
      expect(Math.abs(sample.length - expected)).toBeLessThan(5 * Math.sqrt(expected * (1 - rate)));
    }
  });

  it('takes each pair with the same probability, wherever it falls in a block or row', () => {
    // Over many draws, every pair of the rule (first and last of a row, of a block, of an oversized block's
    // window) is taken about rate × runs times: a gap counted wrongly at a boundary would show there.
    const rule = index.rules.findIndex((r) => r.name === 'postcode');
    const all = pairsOf(rule);
    expect(all.length).toBeGreaterThan(500);
    const taken = new Map(all.map((p) => [p, 0]));
    const rate = 0.25;
    const runs = 2_000;
    const random = seededRandom(99);
    for (let run = 0; run < runs; run++)
      index.forEachSampledPairOfRule(rule, rate, random, (i, j) => {
        const key = `${i}:${j}`;
        taken.set(key, (taken.get(key) as number) + 1);
      });
    const mean = rate * runs;
    const sd = Math.sqrt(runs * rate * (1 - rate));
    const counts = [...taken.values()];
    expect(Math.min(...counts)).toBeGreaterThan(mean - 6 * sd);
    expect(Math.max(...counts)).toBeLessThan(mean + 6 * sd);
    // And not more evenly than chance either: the counts spread as binomial counts do.
    const variance = counts.reduce((s, c) => s + (c - mean) ** 2, 0) / counts.length;
    expect(variance / (sd * sd)).toBeGreaterThan(0.8);
    expect(variance / (sd * sd)).toBeLessThan(1.2);
  });

  it('takes nothing at a rate of 0', () => {
    expect(sampleOf(0, 0, 1)).toEqual([]);
  });
});
