import { createReadStream, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse';
import { MatchRecord } from '../matching/types';
import { CsvInputError, RowMapper } from './csv-mapping';

export interface ReadOptions {
  /** Also return this column's value per record (the ground truth for `eval`). */
  truthColumn?: string;
  /** Entity = first capture group (or whole match) of this pattern applied to the truth column. */
  truthPattern?: RegExp;
  /**
   * Called with each record as it is read, with its position in the batch (e.g. to prepare it at once) and
   * its truth value when `truthColumn` is set; reading waits for a promise it returns.
   */
  onRecord?: (record: MatchRecord, index: number, truth?: string) => void | Promise<void>;
  /** Whether the batch keeps the records and truth values (default); without, only `onRecord` sees them. */
  keep?: boolean;
}

export interface InputBatch {
  records: MatchRecord[];
  truth: string[];
  /** One line per input about values treated as missing (e.g. dates not in the declared format). */
  warnings: string[];
}

/** The source name of an input: its file name without `.csv`. */
export function sourceName(path: string): string {
  return basename(path).replace(/\.csv$/i, '');
}

/**
 * Reads the CSV inputs with their header row, trimming every value; blank is missing. Stops at the first
 * unreadable row or bad mapping with an error naming the file and the line or column.
 */
export async function readInputs(paths: string[], mapper: RowMapper, options: ReadOptions = {}): Promise<InputBatch> {
  if (!paths.length) throw new CsvInputError('no input CSV files given');
  const sources = new Map<string, string>();
  for (const path of paths) {
    const source = sourceName(path);
    if (sources.has(source))
      throw new CsvInputError(`inputs ${sources.get(source)} and ${path} have the same source name "${source}"`);
    sources.set(source, path);
    if (!existsSync(path)) throw new CsvInputError(`${path}: file not found`);
  }
  const batch: InputBatch = { records: [], truth: [], warnings: [] };
  const counted = { records: 0 };
  for (const path of paths) await readOne(path, mapper, options, batch, counted);
  return batch;
}

async function readOne(
  path: string,
  mapper: RowMapper,
  options: ReadOptions,
  batch: InputBatch,
  counted: { records: number },
): Promise<void> {
  const source = sourceName(path);
  const idColumn = mapper.mapping.recordId;
  const seen = new Set<string>();
  mapper.badDates = 0;
  mapper.firstBadDateLine = null;
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      columns: (header: string[]) => checkHeader(path, header, mapper, options),
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const line = info.lines;
      const id = idColumn ? record[idColumn] : String(line);
      if (!id) throw new CsvInputError(`${path}: line ${line}: the record id column "${idColumn}" is blank`);
      if (seen.has(id))
        throw new CsvInputError(`${path}: line ${line}: record id "${id}" appears twice (column "${idColumn}")`);
      seen.add(id);
      const read = { source, id, fields: mapper.map(record, line) };
      const truth = options.truthColumn ? truthOf(path, line, record[options.truthColumn], options) : undefined;
      if (options.keep !== false) {
        batch.records.push(read);
        if (truth !== undefined) batch.truth.push(truth);
      }
      const waiting = options.onRecord?.(read, counted.records++, truth);
      if (waiting) await waiting;
    }
  } catch (error) {
    if (error instanceof CsvInputError) throw error;
    const e = error as Error & { lines?: number };
    const message = e.message.replace(/^.*?:\s*/, '').replace(/\s+on line \d+$/, '');
    throw new CsvInputError(`${path}: ${e.lines ? `line ${e.lines}: ` : ''}unreadable CSV (${message})`);
  }
  if (mapper.badDates) {
    const d = mapper.mapping.fields.dateOfBirth;
    const col = typeof d === 'string' ? d : d?.column;
    batch.warnings.push(
      `${path}: ${mapper.badDates} value(s) of column "${col}" are not dates in the declared format and were treated as missing (first on line ${mapper.firstBadDateLine})`,
    );
  }
}

function checkHeader(path: string, header: string[], mapper: RowMapper, options: ReadOptions): string[] {
  const names = header.map((h) => h.trim());
  const present = new Set(names);
  for (const { column, field } of mapper.columnsUsed()) {
    if (!present.has(column))
      throw new CsvInputError(`${path}: column "${column}" (mapping ${field}) is not in the header`);
  }
  if (options.truthColumn && !present.has(options.truthColumn))
    throw new CsvInputError(`${path}: truth column "${options.truthColumn}" is not in the header`);
  return names;
}

function truthOf(path: string, line: number, value: string | undefined, options: ReadOptions): string {
  if (!value) throw new CsvInputError(`${path}: line ${line}: the truth column "${options.truthColumn}" is blank`);
  if (!options.truthPattern) return value;
  const match = options.truthPattern.exec(value);
  if (!match)
    throw new CsvInputError(`${path}: line ${line}: truth value "${value}" does not match ${options.truthPattern}`);
  return match[1] ?? match[0];
}
