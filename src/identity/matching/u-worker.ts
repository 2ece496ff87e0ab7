/**
 * A training thread (see `IdentityMatcher.trainInThreads`): compares blocks of u's random pairs, reading
 * the records from shared memory, while the main thread counts households and samples EM's pairs (and then
 * takes blocks too); hands back the level counts of the blocks it took.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildComparisons } from './comparisons';
import { countUBlocks, UWorkerData } from './parallel-scoring';
import { SharedRecords } from './shared-records';

function run(data: UWorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('u-worker runs only as a worker thread');
  const store = new SharedRecords(data.records);
  const counts = countUBlocks(data, (i) => store.get(i), buildComparisons(data.identifierKeys));
  port.postMessage(
    counts,
    counts.map((c) => c.buffer as ArrayBuffer),
  );
}

run(workerData as UWorkerData);
