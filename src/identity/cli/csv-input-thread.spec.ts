import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MatchRecord } from '../matching/types';
import { readInputs, ReadOptions } from './csv-input';
import { IN_FLIGHT, readInputsInThread, RECORDS_PER_MESSAGE } from './csv-input-thread';
import { CsvInputError, readMapping, RowMapper } from './csv-mapping';

const GIVEN = ['Ann', 'Bob', 'Chloé', "D'Arcy", 'Eve', 'Fred', ''];
const FAMILY = ['Lee', 'Okafor', 'Smith-Jones', 'Ng', '"Brown, Jr"'];

describe('readInputsInThread', () => {
  let dir: string;
  let mappingPath: string;
  let mapper: RowMapper;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'csv-thread-'));
    mappingPath = join(dir, 'mapping.json');
    writeFileSync(
      mappingPath,
      JSON.stringify({
        recordId: 'ref',
        fields: {
          givenName: 'given',
          familyName: 'family',
          dateOfBirth: { column: 'dob', format: 'dd/MM/yyyy' },
          postcode: 'postcode',
          addressLines: ['line1', 'line2'],
        },
      }),
    );
    mapper = new RowMapper(readMapping(mappingPath), mappingPath);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A file of `rows` people; every 97th date of birth is not a date in the mapping's format. */
  function write(name: string, rows: number, header = 'ref,given,family,dob,postcode,line1,line2,person'): string {
    const lines = [header];
    for (let i = 0; i < rows; i++) {
      const dob =
        i % 97 === 0 ? '31/02/19x0' : `${String(1 + (i % 28)).padStart(2, '0')}/0${1 + (i % 9)}/19${50 + (i % 50)}`;
      lines.push(
        [
          `${name}${i}`,
          GIVEN[i % GIVEN.length],
          FAMILY[i % FAMILY.length],
          dob,
          ` E${i % 9} ${i % 10}AB `,
          `${i} High St`,
          i % 3 ? '' : 'Flat 2',
          `person-${i % 4000}`,
        ].join(','),
      );
    }
    const path = join(dir, `${name}.csv`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  /** The batch and what onRecord saw, read on this thread or on a second one. */
  async function read(threaded: boolean, paths: string[], options: Omit<ReadOptions, 'keep' | 'onRecord'> = {}) {
    const seen: { record: MatchRecord; index: number; truth?: string }[] = [];
    const onRecord = (record: MatchRecord, index: number, truth?: string) => void seen.push({ record, index, truth });
    const batch = threaded
      ? await readInputsInThread(paths, mapper, { ...options, onRecord })
      : await readInputs(paths, mapper, { ...options, onRecord });
    return { batch, seen };
  }

  it('gives the batch readInputs gives, record for record, through many messages', async () => {
    const rows = RECORDS_PER_MESSAGE * (IN_FLIGHT + 3) + 17;
    const paths = [write('housing', rows), write('benefits', 1_234)];
    const options = { truthColumn: 'person', truthPattern: /person-(\d+)/ };
    const here = await read(false, paths, options);
    const there = await read(true, paths, options);
    expect(there.batch.records).toHaveLength(rows + 1_234);
    expect(there.batch).toEqual(here.batch);
    expect(there.batch.truth[5]).toBe('5');
    expect(there.batch.warnings).toHaveLength(2);
    expect(there.seen.map((s) => s.index)).toEqual(there.batch.records.map((_, i) => i));
    expect(there.seen).toEqual(here.seen);
    // onRecord is given the batch's own record objects.
    expect(there.seen[rows].record).toBe(there.batch.records[rows]);
  });

  it('fails as readInputs fails, with the same message, on bad input', async () => {
    const broken = join(dir, 'broken.csv');
    const cases: [string, string[]][] = [
      ['ref,given,family\nA1,Ann,Lee\nA2,"Bob,Lee\n', [broken]],
      ['ref,given,family\nA1,Ann,Lee\nA1,Bob,Lee\n', [broken]],
      ['ref,given\nA1,Ann\n', [broken]],
      ['ref,given,family\nA1,Ann,Lee\nA2,Bob,Lee,extra\n', [broken]],
      ['ref,given,family\nA1,Ann,Lee\n', [broken, join(dir, 'missing.csv')]],
    ];
    for (const [text, paths] of cases) {
      writeFileSync(broken, text);
      const expected = await readInputs(paths, mapper).then(
        () => null,
        (error: Error) => error,
      );
      expect(expected).toBeInstanceOf(CsvInputError);
      const error = await readInputsInThread(paths, mapper).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(CsvInputError);
      expect(error?.message).toBe(expected!.message);
    }
  });

  it('stops the reading thread when taking a record fails', async () => {
    const path = write('large', RECORDS_PER_MESSAGE * 4);
    let taken = 0;
    await expect(
      readInputsInThread([path], mapper, {
        onRecord: () => {
          if (++taken === RECORDS_PER_MESSAGE + 1) throw new Error('preparing failed');
        },
      }),
    ).rejects.toThrow('preparing failed');
    expect(taken).toBe(RECORDS_PER_MESSAGE + 1);
  });
});
