import { Comparison } from './comparisons';
import { startWorker } from './parallel-scoring';
import { SharedRecordsData } from './shared-records';
import { pairLevels } from './training';
import { PreparedRecord } from './types';

/** What a training thread is given: the shared records, the sampled pairs, and where to write levels. */
export interface TrainingWorkerData {
  records: SharedRecordsData;
  identifierKeys: string[];
  /** Pair p is records pairs[2p] and pairs[2p + 1] (shared). */
  pairs: Int32Array;
  pairCount: number;
  /** K bytes a pair (shared): every thread writes the levels of the pairs it took. */
  levels: Uint8Array;
  /** [0]: the next run of pairs to take (shared by every thread). */
  next: Int32Array;
  pairsPerRun: number;
}

/** Pairs per unit of work: a few milliseconds of comparisons. */
const PAIRS_PER_RUN = 4096;

/**
 * The comparison levels of training's sampled pairs (see `planTraining`) on `threads` threads, this one
 * included: runs of pairs are taken from a shared counter, and each pair's levels are written to its own
 * place, so the result is the one `pairLevels` gives on one thread.
 */
export async function levelsInThreads(
  records: readonly PreparedRecord[],
  comparisons: readonly Comparison[],
  identifierKeys: string[],
  pairs: Int32Array,
  pairCount: number,
  shared: SharedRecordsData | null,
  threads: number,
): Promise<Uint8Array> {
  const K = comparisons.length;
  const workers = shared ? Math.max(0, Math.floor(threads) - 1) : 0;
  if (workers === 0 || !shared) {
    const levels = new Uint8Array(pairCount * K);
    pairLevels(records, comparisons, pairs, levels, 0, pairCount);
    return levels;
  }
  const sharedPairs = new Int32Array(new SharedArrayBuffer(Math.max(4, pairCount * 8)), 0, 2 * pairCount);
  sharedPairs.set(pairs.subarray(0, 2 * pairCount));
  const levels = new Uint8Array(new SharedArrayBuffer(Math.max(1, pairCount * K)), 0, pairCount * K);
  const next = new Int32Array(new SharedArrayBuffer(4));
  const data: TrainingWorkerData = {
    records: shared,
    identifierKeys,
    pairs: sharedPairs,
    pairCount,
    levels,
    next,
    pairsPerRun: PAIRS_PER_RUN,
  };
  const finished = Array.from({ length: workers }, () => runTrainingWorker(data));
  // This thread takes runs too, with its own records (no decoding).
  for (let c = Atomics.add(next, 0, 1); c * PAIRS_PER_RUN < pairCount; c = Atomics.add(next, 0, 1))
    pairLevels(
      records,
      comparisons,
      sharedPairs,
      levels,
      c * PAIRS_PER_RUN,
      Math.min(pairCount, (c + 1) * PAIRS_PER_RUN),
    );
  await Promise.all(finished);
  return levels;
}

function runTrainingWorker(data: TrainingWorkerData): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = startWorker('train-worker', data);
    let done = false;
    worker.on('message', () => (done = true));
    worker.on('error', reject);
    worker.on('exit', (code) =>
      done && code === 0 ? resolve() : reject(new Error(`a training thread stopped early (exit code ${code})`)),
    );
  });
}
