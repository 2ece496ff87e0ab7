/**
 * A training thread (see parallel-training.ts): reads records from shared memory and compares runs of
 * training's sampled pairs until none are left, writing each pair's levels to shared memory.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildComparisons } from './comparisons';
import { TrainingWorkerData } from './parallel-training';
import { SharedRecords } from './shared-records';
import { pairLevels } from './training';
import { PreparedRecord } from './types';

function run(data: TrainingWorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('train-worker runs only as a worker thread');
  const store = new SharedRecords(data.records);
  const comparisons = buildComparisons(data.identifierKeys);
  const { pairs, pairCount, levels, next, pairsPerRun } = data;
  for (let c = Atomics.add(next, 0, 1); c * pairsPerRun < pairCount; c = Atomics.add(next, 0, 1)) {
    // Records are read once per run: a rule's sampled pairs come block by block, sharing records.
    const cache = new Map<number, PreparedRecord>();
    const records = {
      get(i: number): PreparedRecord {
        let r = cache.get(i);
        if (!r) {
          r = store.get(i);
          cache.set(i, r);
        }
        return r;
      },
    };
    pairLevels(records, comparisons, pairs, levels, c * pairsPerRun, Math.min(pairCount, (c + 1) * pairsPerRun));
  }
  port.postMessage({ done: true });
}

run(workerData as TrainingWorkerData);
