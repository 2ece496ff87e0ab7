import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { Blocker, SharedBlocks } from './blocker';
import { LinkEdge, RejectedLink } from './clustering';
import { Comparison } from './comparisons';
import { MatchModel, QuickScore } from './match-model';
import { shareRecords, SharedRecordsData } from './shared-records';
import { TermFrequencies, TermFrequencyTables } from './term-frequencies';
import { countU } from './training';
import { PreparedRecord } from './types';
import { startThread } from './worker-thread';

/** A pair for clerical review (see `IdentityMatcher.link`). */
export interface ReviewPair {
  a: number;
  b: number;
  weight: number;
  reason: 'between thresholds' | 'hard negative' | RejectedLink['reason'];
  /** Set on pairs between the thresholds: whether household evidence capped the pair's weight. */
  household?: boolean;
}

/** The candidate pairs scored: auto-links and review-band pairs, in blocking order. */
export interface ScoredCandidates {
  candidatePairs: number;
  edges: LinkEdge[];
  review: ReviewPair[];
  /** Chunks of pairs each thread scored, this thread first (threaded scoring only; for reports). */
  chunksPerThread?: number[];
}

/** What a scored pair becomes: one code per outcome, so that threads can hand results back as bytes. */
export const Outcome = {
  None: 0,
  Link: 1,
  DeterministicLink: 2,
  ReviewHardNegative: 3,
  ReviewBetween: 4,
  ReviewBetweenHousehold: 5,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** The one place a pair's score becomes an auto-link, a review pair or nothing (every thread uses it). */
export function outcomeOf(model: MatchModel, s: QuickScore): Outcome {
  if (s.hardNegative) return s.weight >= model.reviewWeight ? Outcome.ReviewHardNegative : Outcome.None;
  if (s.deterministic) return Outcome.DeterministicLink;
  if (s.weight >= model.linkWeight) return Outcome.Link;
  if (s.weight >= model.reviewWeight)
    return s.household !== null ? Outcome.ReviewBetweenHousehold : Outcome.ReviewBetween;
  return Outcome.None;
}

function record(out: ScoredCandidates, a: number, b: number, weight: number, outcome: Outcome): void {
  switch (outcome) {
    case Outcome.Link:
    case Outcome.DeterministicLink:
      out.edges.push({ a, b, weight, deterministic: outcome === Outcome.DeterministicLink });
      break;
    case Outcome.ReviewHardNegative:
      out.review.push({ a, b, weight, reason: 'hard negative' });
      break;
    case Outcome.ReviewBetween:
    case Outcome.ReviewBetweenHousehold:
      out.review.push({
        a,
        b,
        weight,
        reason: 'between thresholds',
        household: outcome === Outcome.ReviewBetweenHousehold,
      });
      break;
  }
}

/** Scores every candidate pair on this thread. */
export function scoreCandidates(
  model: MatchModel,
  records: readonly PreparedRecord[],
  index: Blocker,
): ScoredCandidates {
  const out: ScoredCandidates = { candidatePairs: 0, edges: [], review: [] };
  index.forEachCandidate((i, j) => {
    out.candidatePairs++;
    const s = model.batchScore(records[i], records[j]);
    const outcome = s ? outcomeOf(model, s) : Outcome.None;
    if (s && outcome !== Outcome.None) record(out, i, j, s.weight, outcome);
  });
  return out;
}

/** The default number of scoring threads: the cores available, at most 4. */
export function defaultScoringThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** What a scoring thread is given: a copy of the model's parameters, and the shared index and records. */
export interface ScoringWorkerData {
  model: {
    params: MatchModel['params'];
    prior: number;
    tf: TermFrequencyTables;
    config: MatchModel['config'];
    identifierKeys: string[];
    personalIdentifiers: string[];
    household: MatchModel['household'];
  };
  blocks: SharedBlocks;
  records: SharedRecordsData;
  /** rule, fromBlock, toBlock per chunk. */
  chunks: Int32Array;
  /** [0]: the next chunk to take (shared by every thread). */
  next: Int32Array;
}

/** One chunk's results from a scoring thread: pairs with an outcome, as arrays. */
export interface ChunkResult {
  chunk: number;
  candidatePairs: number;
  a: Int32Array;
  b: Int32Array;
  weight: Float64Array;
  outcome: Uint8Array;
}

/** Pairs per unit of work: small enough to balance the threads, large enough to keep the hand-over cheap. */
const PAIRS_PER_CHUNK = 20_000;

/**
 * Scores every candidate pair on `threads` threads (this one included): the records are written once to
 * shared memory in a compact form (shared-records.ts), each worker rebuilds the model from its parameters,
 * and the threads take chunks of blocks in turn. The results, put back in chunk order, are the pairs,
 * weights and outcomes of `scoreCandidates`, in its order: the threads change only how long it takes.
 */
export async function scoreCandidatesInThreads(
  model: MatchModel,
  records: readonly PreparedRecord[],
  index: Blocker,
  threads: number,
  store?: SharedRecordsData,
): Promise<ScoredCandidates> {
  const workers = Math.max(0, Math.floor(threads) - 1);
  if (workers === 0 || records.length === 0) return scoreCandidates(model, records, index);
  const chunkList = index.chunks(PAIRS_PER_CHUNK);
  const chunks = new Int32Array(new SharedArrayBuffer(Math.max(4, chunkList.length * 12)));
  chunkList.forEach((c, k) => chunks.set([c.rule, c.fromBlock, c.toBlock], 3 * k));
  const next = new Int32Array(new SharedArrayBuffer(4));
  const data: ScoringWorkerData = {
    model: {
      params: model.params,
      prior: model.prior,
      tf: model.tf.toTables(),
      config: model.config,
      identifierKeys: model.identifierKeys,
      personalIdentifiers: model.personalIdentifiers,
      household: model.household,
    },
    blocks: index.share(),
    records: store ?? shareRecords(records),
    chunks,
    next,
  };
  const results: (ScoredCandidates | ChunkResult | undefined)[] = Array.from({ length: chunkList.length });
  const finished = Array.from({ length: workers }, () => runWorker(data, results));
  // This thread takes chunks too, with its own records (no decoding).
  let own = 0;
  for (let c = Atomics.add(next, 0, 1); c < chunkList.length; c = Atomics.add(next, 0, 1)) {
    own++;
    const out: ScoredCandidates = { candidatePairs: 0, edges: [], review: [] };
    index.forEachCandidateIn(chunkList[c], (i, j) => {
      out.candidatePairs++;
      const s = model.batchScore(records[i], records[j]);
      const outcome = s ? outcomeOf(model, s) : Outcome.None;
      if (s && outcome !== Outcome.None) record(out, i, j, s.weight, outcome);
    });
    results[c] = out;
  }
  const chunksPerThread = [own, ...(await Promise.all(finished))];
  const out: ScoredCandidates = { candidatePairs: 0, edges: [], review: [], chunksPerThread };
  for (let c = 0; c < results.length; c++) {
    const r = results[c];
    if (!r) throw new Error(`scoring chunk ${c} has no result`);
    if ('chunk' in r) {
      out.candidatePairs += r.candidatePairs;
      for (let p = 0; p < r.a.length; p++) record(out, r.a[p], r.b[p], r.weight[p], r.outcome[p] as Outcome);
    } else {
      out.candidatePairs += r.candidatePairs;
      for (const e of r.edges) out.edges.push(e);
      for (const p of r.review) out.review.push(p);
    }
    results[c] = undefined;
  }
  return out;
}

/** What a training thread is given: the shared records, the identifier keys, u's pairs. */
export interface UWorkerData {
  records: SharedRecordsData;
  identifierKeys: string[];
  i: Int32Array;
  j: Int32Array;
  /** [0]: the next block of `U_PAIRS_PER_BLOCK` pairs to take (shared by both threads). */
  next: Int32Array;
}

const U_PAIRS_PER_BLOCK = 10_000;

/**
 * Counts the levels of the blocks of u's pairs this thread takes until none are left. The counts are whole
 * numbers, so the threads' counts add up to exactly those of `countU` over every pair.
 */
export function countUBlocks(
  data: Pick<UWorkerData, 'i' | 'j' | 'next'>,
  recordAt: (i: number) => PreparedRecord,
  comparisons: Comparison[],
): Float64Array[] {
  const pairs = { all: false as const, i: data.i, j: data.j };
  const counts = comparisons.map((c) => new Float64Array(c.levels.length));
  const blocks = Math.ceil(data.i.length / U_PAIRS_PER_BLOCK);
  for (let b = Atomics.add(data.next, 0, 1); b < blocks; b = Atomics.add(data.next, 0, 1)) {
    const from = b * U_PAIRS_PER_BLOCK;
    const block = countU(
      data.i.length,
      recordAt,
      comparisons,
      pairs,
      from,
      Math.min(data.i.length, from + U_PAIRS_PER_BLOCK),
    );
    addCounts(counts, block);
  }
  return counts;
}

/** Adds level counts `from` into `into`. */
export function addCounts(into: Float64Array[], from: readonly Float64Array[]): void {
  for (let k = 0; k < into.length; k++) for (let l = 0; l < into[k].length; l++) into[k][l] += from[k][l];
}

/**
 * Compares blocks of u's random pairs on another thread (see `IdentityMatcher.trainInThreads`): starts at
 * once and resolves to the level counts of the blocks it took (`countUBlocks`).
 */
export function countUInThread(data: UWorkerData): Promise<Float64Array[]> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('u-worker', data);
    let counts: Float64Array[] | null = null;
    worker.on('message', (message: Float64Array[]) => {
      counts = message;
    });
    worker.on('error', reject);
    worker.on('exit', (code) =>
      counts && code === 0
        ? resolve(counts)
        : reject(new Error(`the training thread stopped early (exit code ${code})`)),
    );
  });
}

/** Runs one scoring thread; resolves to the number of chunks it scored. */
function runWorker(data: ScoringWorkerData, results: (ScoredCandidates | ChunkResult | undefined)[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('score-worker', data);
    let done: number | null = null;
    worker.on('message', (message: ChunkResult | { done: number }) => {
      if ('done' in message) done = message.done;
      else results[message.chunk] = message;
    });
    worker.on('error', reject);
    worker.on('exit', (code) =>
      done !== null && code === 0
        ? resolve(done)
        : reject(new Error(`a scoring thread stopped early (exit code ${code})`)),
    );
  });
}

/** Starts a scoring or training thread. */
function startWorker(name: 'score-worker' | 'u-worker', workerData: ScoringWorkerData | UWorkerData): Worker {
  // A young generation of 16 MB: a worker's garbage (records read per chunk) is collected early, not
  // left to grow beside the main thread's heap. An old generation of at most 768 MB, for the same reason:
  // left alone it grows with garbage to about 270 MB at 200,000 records (and on with more), while what a
  // worker keeps (the strings and parts it has read, the term frequencies) took under 128 MB there.
  return startThread(__dirname, name, workerData, { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 768 });
}

/** Rebuilds the model in a worker from the parameters it was given (the same model, number for number). */
export function modelFromWorkerData(data: ScoringWorkerData['model']): MatchModel {
  return new MatchModel(
    data.params,
    data.prior,
    TermFrequencies.fromTables(data.tf),
    data.config,
    data.identifierKeys,
    data.personalIdentifiers,
    data.household,
  );
}
