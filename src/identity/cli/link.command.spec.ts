import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInputs } from './csv-input';
import { CsvInputError, readMapping, RowMapper } from './csv-mapping';
import { EvalCommand } from './eval.command';
import { LinkCommand } from './link.command';

const PEOPLE = [
  ['Robert', 'Allen', '1971-06-24', 'SW1A 2AA', '12 High Street', 'AB123456C'],
  ['Margaret', 'Okafor', '1958-02-11', 'LS6 2AB', '4 Mill Lane', 'CE654321A'],
  ['Asha', 'Patel', '2012-03-04', 'M1 1AE', '9 Park Road', ''],
  ['Ravi', 'Patel', '2012-03-04', 'M1 1AE', '9 Park Road', ''],
  ['Zoe', "O'Brien", '1990-12-01', 'B1 1AA', '3 Church Close', 'JK112233D'],
];

/** Each person once in "housing" and, with noise, once in "benefits", plus fillers so EM has data. */
function writeFixture(dir: string): { housing: string; benefits: string; mapping: string } {
  const header = 'ref,name,dob,postcode,address,nino,person';
  const housing = [header];
  const benefits = [header];
  PEOPLE.forEach(([given, family, dob, postcode, address, nino], i) => {
    housing.push(`H${i},"${given} ${family}",${dob},${postcode},${address},${nino},p${i}`);
    const noisyGiven = given === 'Robert' ? 'Bob' : given === 'Margaret' ? 'Peggy' : given;
    benefits.push(
      `B${i}, "Mr ${noisyGiven} ${family.toUpperCase()}" ,${dob},${postcode.toLowerCase().replace(' ', '')},${address},${nino},p${i}`,
    );
  });
  const givens = ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Noah', 'Grace', 'Leo', 'Ella'];
  const families = [
    'Smith',
    'Jones',
    'Taylor',
    'Brown',
    'Evans',
    'Walker',
    'Wright',
    'Green',
    'Hall',
    'Wood',
    'King',
    'Hill',
    'Ward',
    'Cook',
  ];
  for (let i = 0; i < 150; i++) {
    const row = `${givens[i % givens.length]} ${families[(i * 7) % families.length]},19${40 + (i % 60)}-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 27)).padStart(2, '0')},E${1 + (i % 9)} ${i % 10}AB,${i} Station Road,,f${i}`;
    housing.push(`HF${i},${row}`);
    if (i % 3 === 0) benefits.push(`BF${i},${row}`);
  }
  const files = {
    housing: join(dir, 'housing.csv'),
    benefits: join(dir, 'benefits.csv'),
    mapping: join(dir, 'mapping.json'),
  };
  writeFileSync(files.housing, `${housing.join('\n')}\n`);
  writeFileSync(files.benefits, `${benefits.join('\r\n')}\r\n`);
  writeFileSync(
    files.mapping,
    JSON.stringify({
      recordId: 'ref',
      fields: {
        fullName: 'name',
        dateOfBirth: { column: 'dob', format: 'yyyy-MM-dd' },
        postcode: 'postcode',
        addressLines: ['address'],
        nino: 'nino',
      },
    }),
  );
  return files;
}

describe('link and eval commands', () => {
  let dir: string;
  let files: ReturnType<typeof writeFixture>;
  let stdout: jest.SpyInstance;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'link-spec-'));
    files = writeFixture(dir);
    stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stdout.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  });

  it('links within and across files and writes source,record_id,cluster_id', async () => {
    const out = join(dir, 'clusters.csv');
    await new LinkCommand().run([files.housing, files.benefits], { mapping: files.mapping, out });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('source,record_id,cluster_id');
    const cluster = new Map(lines.slice(1).map((l) => [l.split(',').slice(0, 2).join('/'), l.split(',')[2]]));
    expect(cluster.size).toBe(5 + 150 + 5 + 50);
    expect(cluster.get('housing/H0')).toBe(cluster.get('benefits/B0'));
    expect(cluster.get('housing/H1')).toBe(cluster.get('benefits/B1'));
    expect(cluster.get('housing/H4')).toBe(cluster.get('benefits/B4'));
    // The twins stay apart.
    expect(cluster.get('housing/H2')).not.toBe(cluster.get('housing/H3'));
    expect(cluster.get('benefits/B2')).not.toBe(cluster.get('benefits/B3'));
    const summary = JSON.parse(String(stdout.mock.calls[0][0]));
    expect(summary).toMatchObject({ records: 210 });
  });

  it('writes the same clusters on one thread and on two, and refuses a bad --threads', async () => {
    const one = join(dir, 'one.csv');
    const two = join(dir, 'two.csv');
    await new LinkCommand().run([files.housing, files.benefits], { mapping: files.mapping, out: one, threads: 1 });
    await new LinkCommand().run([files.housing, files.benefits], { mapping: files.mapping, out: two, threads: 2 });
    expect(readFileSync(two, 'utf8')).toBe(readFileSync(one, 'utf8'));
    const summary = JSON.parse(String(stdout.mock.calls[1][0]));
    expect(summary).toMatchObject({ threads: 2 });
    expect(summary.chunksPerThread).toHaveLength(2);
    const command = new LinkCommand();
    expect(command.parseThreads('3')).toBe(3);
    for (const bad of ['0', '17', '1.5', 'two']) expect(() => command.parseThreads(bad)).toThrow(CsvInputError);
  });

  it('evaluates pairwise precision, recall and F1 against a truth column', async () => {
    await new EvalCommand().run([files.housing, files.benefits], {
      mapping: files.mapping,
      truthColumn: 'person',
      truthPattern: '^([a-z]\\d+)$',
    });
    const report = JSON.parse(String(stdout.mock.calls[0][0]));
    expect(report).toMatchObject({ records: 210, truePairs: 55 });
    expect(report.precision).toBe(1);
    expect(report.recall).toBeGreaterThan(0.9);
    expect(report.timings.totalSeconds).toBeGreaterThan(0);
  });

  it('names the column or line when the mapping or a row is wrong', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ recordId: 'ref', fields: { givenName: 'first_name' } }));
    await expect(new LinkCommand().run([files.housing], { mapping: bad, out: join(dir, 'o.csv') })).rejects.toThrow(
      `${files.housing}: column "first_name" (mapping fields.givenName) is not in the header`,
    );
    writeFileSync(bad, JSON.stringify({ fields: { dateOfBirth: { column: 'dob', format: 'yyyy-QQ' } } }));
    expect(() => new RowMapper(readMapping(bad), bad)).toThrow('fields.dateOfBirth.format');
    writeFileSync(bad, JSON.stringify({ fields: { birthday: 'dob' } }));
    expect(() => readMapping(bad)).toThrow(/fields: unknown key "birthday"/);
    writeFileSync(bad, '{ nope');
    expect(() => readMapping(bad)).toThrow(`mapping ${bad}: not valid JSON`);
    expect(() => readMapping(join(dir, 'missing.json'))).toThrow('file not found');

    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'ref,name\nA1,Ann Lee\nA2,"Bob Lee,\n');
    const mapper = new RowMapper(
      readMapping(files.mapping.replace('mapping.json', 'm2.json').replace(/.*/, writeMapping(dir))),
      'm2',
    );
    await expect(readInputs([broken], mapper)).rejects.toThrow(/broken\.csv: line 3: unreadable CSV/);
    writeFileSync(broken, 'ref,name\nA1,Ann Lee\nA1,Bob Lee\n');
    await expect(readInputs([broken], mapper)).rejects.toThrow(
      `${broken}: line 3: record id "A1" appears twice (column "ref")`,
    );
    writeFileSync(broken, 'ref,name\nA1,Ann Lee\nA2,Bob,Lee\n');
    await expect(readInputs([broken], mapper)).rejects.toBeInstanceOf(CsvInputError);
  });

  it('trims values, treats blanks as missing and reports dates that do not fit the format', async () => {
    const file = join(dir, 'dates.csv');
    writeFileSync(file, 'ref,name,dob,postcode,address,nino\n R1 , Ann  Lee ,1970-01-32, , ,\nR2,Bob Lee,,,,\n');
    const batch = await readInputs([file], new RowMapper(readMapping(files.mapping), files.mapping));
    expect(batch.records[0]).toEqual({ source: 'dates', id: 'R1', fields: { givenName: 'Ann', familyName: 'Lee' } });
    expect(batch.warnings).toEqual([
      `${file}: 1 value(s) of column "dob" are not dates in the declared format and were treated as missing (first on line 2)`,
    ]);
  });
});

function writeMapping(dir: string): string {
  const path = join(dir, 'm2.json');
  writeFileSync(path, JSON.stringify({ recordId: 'ref', fields: { fullName: 'name' } }));
  return path;
}
