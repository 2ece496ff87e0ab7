/**
 * A scoring thread (see parallel-scoring.ts): rebuilds the model, reads records from shared memory, and
 * takes chunks of candidate pairs until none are left, handing each chunk's outcomes back as arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Blocker } from './blocker';
import { ChunkResult, modelFromWorkerData, Outcome, outcomeOf, ScoringWorkerData } from './parallel-scoring';
import { SharedRecords } from './shared-records';
import { PreparedRecord } from './types';

function run(data: ScoringWorkerData): void {
  const port = parentPort;
  if (!port) throw new Error('score-worker runs only as a worker thread');
  const model = modelFromWorkerData(data.model);
  const index = Blocker.fromShared(data.blocks);
  const store = new SharedRecords(data.records);
  const chunkCount = data.chunks.length / 3;
  let a = new Int32Array(1024);
  let b = new Int32Array(1024);
  let weight = new Float64Array(1024);
  let outcome = new Uint8Array(1024);
  let taken = 0;
  for (let c = Atomics.add(data.next, 0, 1); c < chunkCount; c = Atomics.add(data.next, 0, 1)) {
    taken++;
    // Records are read once per chunk: the blocks of a chunk hold each record at most a few times.
    const cache = new Map<number, PreparedRecord>();
    const get = (i: number) => {
      let r = cache.get(i);
      if (!r) {
        r = store.get(i);
        cache.set(i, r);
      }
      return r;
    };
    let n = 0;
    let candidatePairs = 0;
    const chunk = { rule: data.chunks[3 * c], fromBlock: data.chunks[3 * c + 1], toBlock: data.chunks[3 * c + 2] };
    index.forEachCandidateIn(chunk, (i, j) => {
      candidatePairs++;
      const s = model.batchScore(get(i), get(j));
      const o = s ? outcomeOf(model, s) : Outcome.None;
      if (!s || o === Outcome.None) return;
      if (n === a.length) {
        a = grow(a, new Int32Array(2 * n));
        b = grow(b, new Int32Array(2 * n));
        weight = grow(weight, new Float64Array(2 * n));
        outcome = grow(outcome, new Uint8Array(2 * n));
      }
      a[n] = i;
      b[n] = j;
      weight[n] = s.weight;
      outcome[n] = o;
      n++;
    });
    const result: ChunkResult = {
      chunk: c,
      candidatePairs,
      a: a.slice(0, n),
      b: b.slice(0, n),
      weight: weight.slice(0, n),
      outcome: outcome.slice(0, n),
    };
    port.postMessage(
      result,
      [result.a, result.b, result.weight, result.outcome].map((x) => x.buffer as ArrayBuffer),
    );
  }
  port.postMessage({ done: taken });
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

run(workerData as ScoringWorkerData);
