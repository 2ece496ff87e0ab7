import { renameSync, writeFileSync } from 'node:fs';
import { BatchPreparer, IdentityMatcher, LinkResult } from '../matching/identity-matcher';
import { MatchConfigInput } from '../matching/match-config';
import { defaultScoringThreads } from '../matching/parallel-scoring';
import { MatchRecord, PreparedRecord } from '../matching/types';
import { RowMapper, readMapping } from './csv-mapping';
import { InputBatch, readInputs, ReadOptions } from './csv-input';
import { readInputsInThread } from './csv-input-thread';

export interface LinkRun {
  batch: InputBatch;
  /** The normalised records, in input order (positions as in `result`). */
  prepared: PreparedRecord[];
  matcher: IdentityMatcher;
  result: LinkResult;
  timings: {
    readSeconds: number;
    prepareSeconds: number;
    trainSeconds: number;
    linkSeconds: number;
    totalSeconds: number;
  };
}

/**
 * Reads the inputs, trains on them (no labels) and links within and across them at the default thresholds,
 * scoring the candidate pairs on `threads` threads (the result does not depend on how many).
 */
export async function runLink(
  inputs: string[],
  mappingPath: string,
  read: ReadOptions = {},
  config: MatchConfigInput = {},
  threads = defaultScoringThreads(),
): Promise<LinkRun> {
  const started = performance.now();
  const mapper = new RowMapper(readMapping(mappingPath), mappingPath);
  // Each record is prepared as soon as it is read, and its raw values dropped (only source and id are
  // needed from here on): a million records' raw values are never held at once. The time spent preparing
  // is summed apart from the reading (with a reading thread, "read" is what this thread spent waiting for
  // and taking the records the other had read).
  const preparer = new BatchPreparer(true);
  let preparing = 0;
  const onRecord = (record: MatchRecord, index: number) => {
    const from = performance.now();
    preparer.add(record, index);
    preparing += performance.now() - from;
  };
  // With a second thread, the CSV is read there while this one prepares (their times overlap).
  const batch =
    threads > 1
      ? await readInputsInThread(inputs, mapper, { ...read, onRecord })
      : await readInputs(inputs, mapper, { ...read, onRecord });
  const prepared = preparer.prepared;
  const afterPrepare = performance.now();
  const afterRead = afterPrepare - preparing;
  const { matcher, index, store } = await IdentityMatcher.trainInThreads(prepared, config, threads);
  const afterTrain = performance.now();
  const result = await matcher.linkInThreads(prepared, index, threads, store);
  const done = performance.now();
  const s = (ms: number) => Math.round(ms) / 1000;
  return {
    batch,
    prepared,
    matcher,
    result,
    timings: {
      readSeconds: s(afterRead - started),
      prepareSeconds: s(afterPrepare - afterRead),
      trainSeconds: s(afterTrain - afterPrepare),
      linkSeconds: s(done - afterTrain),
      totalSeconds: s(done - started),
    },
  };
}

/** Writes `source,record_id,cluster_id` through a temporary file, so a failed run never leaves half a file. */
export function writeClusters(path: string, records: readonly MatchRecord[], clusterOf: Int32Array): void {
  const lines = ['source,record_id,cluster_id'];
  for (let i = 0; i < records.length; i++)
    lines.push(`${csvField(records[i].source)},${csvField(records[i].id)},${clusterOf[i]}`);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${lines.join('\n')}\n`);
  renameSync(temporary, path);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

export interface PairwiseScores {
  records: number;
  truePairs: number;
  predictedPairs: number;
  tp: number;
  precision: number;
  recall: number;
  f1: number;
}

/** Pairwise precision, recall and F1 of a clustering against true entities (as ../shared/eval/score-links.mjs). */
export function pairwiseScores(truth: readonly string[], clusterOf: ArrayLike<number>): PairwiseScores {
  const pairsOf = (keys: Iterable<string>) => {
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(k, (counts.get(k) ?? 0) + 1);
    let pairs = 0;
    for (const n of counts.values()) pairs += (n * (n - 1)) / 2;
    return pairs;
  };
  const n = truth.length;
  const truePairs = pairsOf(truth);
  const predictedPairs = pairsOf(Array.from({ length: n }, (_, i) => String(clusterOf[i])));
  const tp = pairsOf(Array.from({ length: n }, (_, i) => `${clusterOf[i]}\u0000${truth[i]}`));
  const precision = predictedPairs ? tp / predictedPairs : 1;
  const recall = truePairs ? tp / truePairs : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return { records: n, truePairs, predictedPairs, tp, precision: r4(precision), recall: r4(recall), f1: r4(f1) };
}
