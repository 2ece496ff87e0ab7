/**
 * The reading thread of `readInputsInThread`: reads and maps the CSV inputs (readInputs, keeping nothing)
 * and hands the records to the main thread in batches, as JSON, at most `IN_FLIGHT` batches ahead of it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MatchRecord } from '../matching/types';
import { readInputs } from './csv-input';
import { CsvInputError, RowMapper } from './csv-mapping';
import { IN_FLIGHT, ReadThreadData, ReadThreadMessage, RECORDS_PER_MESSAGE } from './csv-input-thread';

async function run(data: ReadThreadData): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('csv-read-worker runs only as a worker thread');
  const post = (message: ReadThreadMessage) => port.postMessage(message);
  let ahead = 0;
  let resume: (() => void) | null = null;
  port.on('message', () => {
    ahead--;
    resume?.();
    resume = null;
  });
  let records: MatchRecord[] = [];
  let truth: string[] = [];
  const flush = async () => {
    post({ kind: 'records', json: JSON.stringify(records), truth });
    records = [];
    truth = [];
    if (++ahead >= IN_FLIGHT) await new Promise<void>((resolve) => (resume = resolve));
  };
  try {
    const mapper = new RowMapper(data.mapping, data.mappingPath);
    const truthPattern = data.truthPattern ? new RegExp(data.truthPattern.source, data.truthPattern.flags) : undefined;
    const batch = await readInputs(data.paths, mapper, {
      truthColumn: data.truthColumn,
      truthPattern,
      keep: false,
      onRecord: (record, _index, value) => {
        records.push(record);
        if (value !== undefined) truth.push(value);
        return records.length >= RECORDS_PER_MESSAGE ? flush() : undefined;
      },
    });
    if (records.length) await flush();
    post({ kind: 'done', warnings: batch.warnings });
  } catch (error) {
    post({ kind: 'failed', message: (error as Error).message, inputError: error instanceof CsvInputError });
  }
  port.removeAllListeners('message');
  port.unref();
}

void run(workerData as ReadThreadData);
