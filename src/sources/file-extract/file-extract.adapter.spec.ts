import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../config/config';
import { SourceTransport } from '../source-transport';
import { parseExtractDate } from './extract-dates';
import { parseExtractMapping } from './extract-mapping';
import { FileExtractAdapter, fileExtractSource } from './file-extract.adapter';

const mapping = () => ({
  source: {
    id: 'library',
    name: 'Library members',
    graphql: {
      field: 'library',
      type: 'LibraryRecords',
      typeDescription: 'From the library extract.',
      fieldDescription: 'From the library extract.',
    },
    categories: [
      {
        name: 'membership',
        description: 'Library membership',
        specialCategory: false,
        graphql: { list: 'memberships', type: 'LibraryMembership', description: 'A membership.' },
        fields: { branch: 'String', joined: 'String', loans: 'Int', fines: 'Float', housebound: 'Boolean' },
      },
      {
        name: 'accessibility',
        description: 'Accessibility needs (health)',
        specialCategory: true,
        graphql: { list: 'accessibility', type: 'LibraryAccessibility', description: 'Needs.' },
        fields: { need: 'String' },
      },
    ],
  },
  extract: { path: '/members.csv' },
  key: 'MemberNo',
  dateFormats: ['dd/MM/yyyy', 'yyyy-MM-dd'],
  identity: {
    givenName: 'First',
    familyName: 'Last',
    dateOfBirth: 'Born',
    sex: { column: 'Sex', values: { Male: 'M', Female: 'F' } },
    nino: 'NI',
    addressLines: ['Addr1', 'Addr2'],
    postcode: 'Postcode',
  },
  categories: {
    membership: {
      fields: {
        branch: 'Branch',
        joined: { column: 'Joined', date: ['d/M/yyyy'] },
        loans: 'Loans',
        fines: 'Fines',
        housebound: 'Housebound',
      },
    },
    accessibility: { when: 'Need', fields: { need: 'Need' } },
  },
});

const header = 'MemberNo,First,Last,Born,Sex,NI,Addr1,Addr2,Postcode,Branch,Joined,Loans,Fines,Housebound,Need';

function transportServing(files: string[]): SourceTransport & { calls: number } {
  const transport = {
    calls: 0,
    getJson: () => Promise.reject(new Error('not JSON')),
    postJson: () => Promise.reject(new Error('not JSON')),
    getText: (path: string) => {
      expect(path).toBe('/members.csv');
      transport.calls += 1;
      return Promise.resolve(files[0]);
    },
  };
  return transport;
}

describe('the extract mapping', () => {
  it('is accepted when it matches its own declaration', () => {
    const parsed = parseExtractMapping(mapping(), 'library.json');
    expect(parsed.source.id).toBe('library');
    expect(parsed.refreshSeconds).toBe(300);
    expect(parsed.delimiter).toBe(',');
  });

  it.each([
    [
      'an unknown setting',
      (m: Record<string, unknown>) => (m.colour = 'blue'),
      /^Invalid extract mapping \(library\.json\): Unrecognized key: "colour"/,
    ],
    ['no key column', (m: Record<string, unknown>) => delete m.key, /\(library\.json\): key /],
    [
      'a category that is not declared',
      (m: ReturnType<typeof mapping>) => ((m.categories as Record<string, unknown>).loans = { fields: {} }),
      /categories\.loans is not a category of source library$/,
    ],
    [
      'a field that is not declared',
      (m: ReturnType<typeof mapping>) => ((m.categories.membership.fields as Record<string, unknown>).card = 'Card'),
      /categories\.membership\.fields\.card is not a field of category membership$/,
    ],
    [
      'a declared category with no columns',
      (m: ReturnType<typeof mapping>) => delete (m.categories as Partial<typeof m.categories>).accessibility,
      /categories maps no columns to declared category accessibility$/,
    ],
    [
      'a date format it cannot read',
      (m: ReturnType<typeof mapping>) => (m.dateFormats = ['dd/MMM/yy']),
      /dateFormats has a format this reader does not know: dd\/MMM\/yy$/,
    ],
    [
      'a date read into a number field',
      (m: ReturnType<typeof mapping>) =>
        (m.categories.membership.fields.loans = { column: 'Loans', date: true } as never),
      /categories\.membership\.fields\.loans is a date, so it must be declared String$/,
    ],
    [
      'a GraphQL type name that is not one',
      (m: ReturnType<typeof mapping>) => (m.source.graphql.type = 'library records'),
      /source\.graphql\.type must be a PascalCase GraphQL type name$/,
    ],
    [
      'an unknown identity field',
      (m: ReturnType<typeof mapping>) => ((m.identity as Record<string, unknown>).shoeSize = 'Shoe'),
      /identity/,
    ],
  ])('is refused with one line naming the setting: %s', (_, change, message) => {
    const m = mapping();
    (change as (m: unknown) => void)(m);
    let error: unknown;
    try {
      parseExtractMapping(m, 'library.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses at start: the source module is not made', () => {
    expect(() => fileExtractSource({ ...mapping(), key: '' }, 'library.json')).toThrow(ConfigError);
  });
});

describe('dates in extracts', () => {
  it.each([
    ['03/04/2015', ['dd/MM/yyyy'], '2015-04-03'],
    ['3/4/2015', ['d/M/yyyy'], '2015-04-03'],
    ['2015-04-03', ['dd/MM/yyyy', 'yyyy-MM-dd'], '2015-04-03'],
    ['20150403', ['yyyyMMdd'], '2015-04-03'],
    ['03.04.2015', ['dd.MM.yyyy'], '2015-04-03'],
    ['31/02/2015', ['dd/MM/yyyy'], undefined],
    ['2015-04-03', ['dd/MM/yyyy'], undefined],
    ['3/4/15', ['d/M/yyyy'], undefined],
  ])('%s read with %j is %s', (value, formats, expected) => {
    expect(parseExtractDate(value, formats)).toBe(expected);
  });
});

describe('the file extract adapter', () => {
  const rows = [
    header,
    'M1,Ada,Lovelace,10/12/1990,Female,AB123456C,1 High St,Northtown,NT1 1AA,Central,2/3/2020,4,1.50,N,',
    'M2,Bob,Brown,1985-07-01,Male,,2 Low St,,NT1 1AB,East,15/1/2021,0,0,Y,wheelchair user',
    'M3,Cy,Dee,31/02/2001,Robot,,3 Mid St,,NT1 1AC,West,45/1/2021,many,,maybe,',
    ',No,Key,01/01/2000,Male,,4 St,,NT1 1AD,West,1/1/2020,0,0,N,',
    'M1,Ada,Again,10/12/1990,Female,,1 High St,,NT1 1AA,Central,2/3/2020,4,0,N,',
    'M5,Too,Short',
  ];

  function adapter(text: string, pageSize = 10) {
    const parsed = parseExtractMapping(mapping(), 'library.json');
    const transport = transportServing([text]);
    return { adapter: new FileExtractAdapter(parsed, transport, pageSize), transport };
  }

  it('pulls identities from the extract, reading dates, codes and addresses', async () => {
    const page = await adapter(rows.join('\n')).adapter.pullIdentities();
    expect(page.complete).toBe(true);
    expect(page.total).toBe(3);
    expect(page.records.map((r) => r.sourceKey)).toEqual(['M1', 'M2', 'M3']);
    expect(page.records[0].identity).toEqual({
      givenName: 'Ada',
      familyName: 'Lovelace',
      dateOfBirth: '1990-12-10',
      sex: 'F',
      nino: 'AB123456C',
      addressLines: ['1 High St', 'Northtown'],
      postcode: 'NT1 1AA',
    });
    expect(page.records[1].identity).toMatchObject({ dateOfBirth: '1985-07-01', sex: 'M', addressLines: ['2 Low St'] });
  });

  it('quarantines bad rows and bad values with their reasons, keeping the records it can', async () => {
    const page = await adapter(rows.join('\n')).adapter.pullIdentities();
    expect(page.rejected.map((r) => [r.sourceKey, r.code, r.reason])).toEqual([
      [undefined, 'missing-key', 'row 5: MemberNo is empty'],
      ['M1', 'invalid-record', 'row 6: key M1 appears twice'],
      ['M5', 'invalid-record', 'row 7 has 3 cells where the header has 15'],
    ]);
    expect(page.rejected[0].raw).toMatchObject({ First: 'No', Last: 'Key' });
    const m3 = page.records.find((r) => r.sourceKey === 'M3')!;
    expect(m3.identity.dateOfBirth).toBeUndefined();
    expect(m3.issues?.map((i) => [i.field, i.code, i.reason])).toEqual([
      ['dateOfBirth', 'malformed-date', 'dateOfBirth: "31/02/2001" is not a date (dd/MM/yyyy or yyyy-MM-dd)'],
      ['sex', 'invalid-record', 'sex: "ROBOT" is not F, M or X'],
      ['membership.joined', 'malformed-date', 'membership.joined: "45/1/2021" is not a date (d/M/yyyy)'],
      ['membership.loans', 'invalid-record', 'membership.loans: "many" is not a whole number'],
      ['membership.housebound', 'invalid-record', 'membership.housebound: "maybe" is not yes or no'],
    ]);
  });

  it('serves details from the last extract, typed as declared, a category only where the row holds it', async () => {
    const { adapter: source } = adapter(rows.join('\n'));
    const details = await source.fetchDetails(['M1', 'M2', 'M3', 'nobody']);
    expect(details.get('M1')).toEqual([
      {
        category: 'membership',
        recordId: 'M1',
        fields: { branch: 'Central', joined: '2020-03-02', loans: 4, fines: 1.5, housebound: false },
      },
    ]);
    expect(details.get('M2')).toEqual([
      {
        category: 'membership',
        recordId: 'M2',
        fields: { branch: 'East', joined: '2021-01-15', loans: 0, fines: 0, housebound: true },
      },
      { category: 'accessibility', recordId: 'M2', fields: { need: 'wheelchair user' } },
    ]);
    expect(details.get('M3')?.[0].fields).toEqual({
      branch: 'West',
      joined: null,
      loans: null,
      fines: null,
      housebound: null,
    });
    expect(details.has('nobody')).toBe(false);
  });

  it('fails the whole extract when a mapped column is missing or it is not CSV', async () => {
    await expect(adapter('MemberNo,First\nM1,Ada').adapter.pullIdentities()).rejects.toThrow(
      /library: unexpected response: the extract has no column Last, Born/,
    );
    await expect(adapter(`${header}\n"M1,unclosed`).adapter.pullIdentities()).rejects.toThrow(
      /library: unexpected response: the extract is not CSV/,
    );
  });

  it('pages a full load, then takes nothing until the extract is replaced, then reports the records it lost', async () => {
    const files = [rows.slice(0, 4).join('\n')];
    const parsed = parseExtractMapping(mapping(), 'library.json');
    const transport = transportServing(files);
    const source = new FileExtractAdapter(parsed, transport, 2);
    const first = await source.pullIdentities();
    expect(first.records.map((r) => r.sourceKey)).toEqual(['M1', 'M2']);
    expect(first.complete).toBe(false);
    const second = await source.pullIdentities(first.nextCursor);
    expect(second.records.map((r) => r.sourceKey)).toEqual(['M3']);
    expect(second.complete).toBe(true);
    expect(second.rejected).toEqual([]);

    const unchanged = await source.pullIdentities(second.nextCursor);
    expect(unchanged).toMatchObject({ records: [], complete: true, nextCursor: second.nextCursor });

    // Tonight's extract: M2 has gone, M4 is new.
    files[0] = [header, rows[1], 'M4,Di,Eve,01/01/2010,Female,,5 St,,NT1 1AE,West,1/1/2024,0,0,N,', rows[3]].join('\n');
    const next = await source.pullIdentities(unchanged.nextCursor);
    expect(next.records.map((r) => r.sourceKey)).toEqual(['M1', 'M4']);
    expect(next.complete).toBe(false);
    const last = await source.pullIdentities(next.nextCursor);
    expect(last.records.map((r) => [r.sourceKey, r.deleted ?? false])).toEqual([
      ['M3', false],
      ['M2', true],
    ]);
    expect(last.complete).toBe(true);
    expect((await source.fetchDetails(['M2', 'M4'])).has('M2')).toBe(false);
  });

  it('reads the newest extract in a folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'extract-'));
    writeFileSync(join(folder, 'members-1.csv'), [header, rows[1]].join('\n'));
    writeFileSync(join(folder, 'members-2.csv'), [header, rows[2]].join('\n'));
    writeFileSync(join(folder, 'notes.txt'), 'not an extract');
    utimesSync(join(folder, 'members-1.csv'), new Date('2025-01-01'), new Date('2025-01-01'));
    const parsed = parseExtractMapping({ ...mapping(), extract: { folder, pattern: '^members-.*\\.csv$' } }, 'x');
    const source = new FileExtractAdapter(parsed, undefined, 10);
    expect((await source.pullIdentities()).records.map((r) => r.sourceKey)).toEqual(['M2']);
    expect(await source.health()).toMatchObject({ status: 'up' });
  });

  it('describes itself from the mapping’s declaration', () => {
    expect(
      adapter('')
        .adapter.describe()
        .categories.map((c) => [c.name, c.specialCategory]),
    ).toEqual([
      ['membership', false],
      ['accessibility', true],
    ]);
  });
});
