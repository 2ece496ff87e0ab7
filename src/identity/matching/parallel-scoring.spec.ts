import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticPopulation } from '../../../bench/match-synthetic';
import { readInputs } from '../cli/csv-input';
import { readMapping, RowMapper } from '../cli/csv-mapping';
import { Blocker } from './blocker';
import { IdentityMatcher } from './identity-matcher';
import { Outcome, outcomeOf, scoreCandidates, scoreCandidatesInThreads } from './parallel-scoring';
import { SharedRecords, shareRecords } from './shared-records';
import { PreparedRecord } from './types';

const mapping = join(__dirname, '..', '..', '..', 'bench', 'mappings', 'synthetic.json');

describe('scoring candidate pairs on several threads', () => {
  let dir: string;
  let matcher: IdentityMatcher;
  let index: Blocker;
  let prepared: PreparedRecord[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parallel-scoring-spec-'));
    const file = join(dir, 'borough.csv');
    await writeSyntheticPopulation({ records: 3000, seed: 5, out: file });
    const batch = await readInputs([file], new RowMapper(readMapping(mapping), mapping));
    ({ matcher, index, records: prepared } = IdentityMatcher.trainWithIndex(batch.records));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every prepared record back from shared memory exactly as it was', () => {
    const store = new SharedRecords(shareRecords(prepared));
    expect(store.count).toBe(prepared.length);
    for (let i = 0; i < prepared.length; i++) expect(store.get(i)).toEqual(prepared[i]);
    // The batch holds every kind of field the store writes.
    expect(prepared.some((r) => r.identifiers || r.nino)).toBe(true);
    expect(prepared.some((r) => r.email && !r.email.valid) || prepared.some((r) => r.email)).toBe(true);
    expect(prepared.some((r) => r.middle && r.given && r.given.nicknames.length)).toBe(true);
    const withAddress = prepared.find((r) => r.addressWeights && r.addressWeights.some((w) => w !== 1));
    expect(withAddress).toBeDefined();
    const back = store.get((withAddress as PreparedRecord).index);
    expect(Object.prototype.toString.call(back.addressWeights)).toBe('[object Float64Array]');
    expect(Array.from(back.addressWeights as Float64Array)).toEqual(
      Array.from((withAddress as PreparedRecord).addressWeights as Float64Array),
    );
  });

  it('stops scoring a pair early only when it cannot reach the review weight, and else scores it in full', () => {
    const model = matcher.model;
    let pairs = 0;
    let stopped = 0;
    const mismatches: string[] = [];
    index.forEachCandidate((i, j) => {
      pairs++;
      const full = model.quickScore(prepared[i], prepared[j]);
      const fullOutcome = outcomeOf(model, full);
      const batch = model.batchScore(prepared[i], prepared[j]);
      if (batch === null) {
        stopped++;
        if (fullOutcome !== Outcome.None || full.weight >= model.reviewWeight || full.deterministic)
          mismatches.push(`${i}-${j} stopped`);
      } else if (JSON.stringify(batch) !== JSON.stringify(full)) mismatches.push(`${i}-${j} scored otherwise`);
    });
    expect(mismatches).toEqual([]);
    // Most candidate pairs are relatives and neighbours that the first few fields rule out.
    expect(stopped).toBeGreaterThan(pairs / 2);
  });

  it('splits the candidate pairs into chunks that visit the same pairs in the same order', () => {
    const all: number[] = [];
    index.forEachCandidate((i, j) => all.push(i, j));
    const chunked: number[] = [];
    const chunks = index.chunks(500);
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks) index.forEachCandidateIn(chunk, (i, j) => chunked.push(i, j));
    expect(chunked).toEqual(all);
  });

  it('gives the same pairs, weights, outcomes and clusters on 1, 2 and 3 threads', async () => {
    const one = scoreCandidates(matcher.model, prepared, index);
    expect(one.edges.length).toBeGreaterThan(100);
    expect(one.review.length).toBeGreaterThan(10);
    for (const threads of [2, 3]) {
      const many = await scoreCandidatesInThreads(matcher.model, prepared, index, threads);
      expect(many.candidatePairs).toBe(one.candidatePairs);
      expect(many.edges).toEqual(one.edges);
      expect(many.review).toEqual(one.review);
    }
    // End to end, through clustering and the review queue (the index now reads its blocks from shared memory).
    const single = matcher.link(prepared, index);
    const threaded = await matcher.linkInThreads(prepared, index, 2);
    expect(Array.from(threaded.clusterOf)).toEqual(Array.from(single.clusterOf));
    expect(threaded.review).toEqual(single.review);
    expect(threaded.reviewNotQueued).toBe(single.reviewNotQueued);
    expect(threaded.autoLinks).toBe(single.autoLinks);
  });

  it("trains the same model when u's random pairs are compared on two threads, and links with its store", async () => {
    // 45,000 random pairs of 3,000 records: blocks of them on both threads.
    const config = { training: { uSamplePairs: 45_000 } };
    const alone = IdentityMatcher.trainWithIndex(prepared, config);
    const threaded = await IdentityMatcher.trainInThreads(prepared, config, 2);
    expect(threaded.store).toBeDefined();
    expect(threaded.matcher.toJSON()).toEqual(alone.matcher.toJSON());
    expect(threaded.matcher.training?.uPairs).toBe(45_000);
    const one = await IdentityMatcher.trainInThreads(prepared, config, 1);
    expect(one.store).toBeUndefined();
    expect(one.matcher.toJSON()).toEqual(alone.matcher.toJSON());
    const single = alone.matcher.link(prepared, alone.index);
    const linked = await threaded.matcher.linkInThreads(prepared, threaded.index, 2, threaded.store);
    expect(Array.from(linked.clusterOf)).toEqual(Array.from(single.clusterOf));
    expect(linked.review).toEqual(single.review);
  });
});
