import { MatchRecord } from '../matching/types';
import { startThread } from '../matching/worker-thread';
import { InputBatch, ReadOptions } from './csv-input';
import { CsvInputError, Mapping, RowMapper } from './csv-mapping';

/** Records per message from the reading thread. */
export const RECORDS_PER_MESSAGE = 2_000;
/** Messages the reading thread may send ahead of the main thread's handling (so memory stays bounded). */
export const IN_FLIGHT = 8;

/** The main thread's word to the reading thread: one message taken, another may come. */
const MORE = { taken: 1 };

export interface ReadThreadData {
  paths: string[];
  mapping: Mapping;
  mappingPath: string;
  truthColumn?: string;
  truthPattern?: { source: string; flags: string };
}

export type ReadThreadMessage =
  | { kind: 'records'; json: string; truth: string[] }
  | { kind: 'done'; warnings: string[] }
  | { kind: 'failed'; message: string; inputError: boolean };

/**
 * `readInputs` on a second thread: the CSV is parsed and mapped there while this thread takes the records
 * as they come (e.g. to prepare them: `onRecord`), so reading and preparing a large input share the two
 * cores. The batch is the one `readInputs` gives (same records, order, truth values, warnings and errors).
 */
export async function readInputsInThread(
  paths: string[],
  mapper: RowMapper,
  options: Omit<ReadOptions, 'keep' | 'onRecord'> & {
    /** As `readInputs`' `onRecord`, but it cannot make reading wait: the other thread reads on. */
    onRecord?: (record: MatchRecord, index: number, truth?: string) => void;
  } = {},
): Promise<InputBatch> {
  const data: ReadThreadData = {
    paths,
    mapping: mapper.mapping,
    mappingPath: mapper.mappingPath,
    truthColumn: options.truthColumn,
    ...(options.truthPattern
      ? { truthPattern: { source: options.truthPattern.source, flags: options.truthPattern.flags } }
      : {}),
  };
  // The thread keeps little (the ids of one file, to refuse a repeated id) and makes garbage fast.
  const worker = startThread(__dirname, 'csv-read-worker', data, {
    maxYoungGenerationSizeMb: 16,
    maxOldGenerationSizeMb: 512,
  });
  const batch: InputBatch = { records: [], truth: [], warnings: [] };
  try {
    return await new Promise<InputBatch>((resolve, reject) => {
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        outcome();
      };
      worker.on('message', (message: ReadThreadMessage) => {
        if (settled) return;
        try {
          if (message.kind === 'records') {
            const records = JSON.parse(message.json) as MatchRecord[];
            batch.truth.push(...message.truth);
            for (const [k, record] of records.entries()) {
              batch.records.push(record);
              options.onRecord?.(record, batch.records.length - 1, message.truth[k]);
            }
            worker.postMessage(MORE, []);
          } else if (message.kind === 'done') {
            batch.warnings.push(...message.warnings);
            settle(() => resolve(batch));
          } else {
            const error = message.inputError ? new CsvInputError(message.message) : new Error(message.message);
            settle(() => reject(error));
          }
        } catch (error) {
          settle(() => reject(error as Error));
        }
      });
      worker.on('error', (error) => settle(() => reject(error)));
      worker.on('exit', (code) =>
        settle(() => reject(new Error(`the CSV reading thread stopped early (exit code ${code})`))),
      );
    });
  } finally {
    await worker.terminate();
  }
}
