import { isCalendarDate, LifeEventReport, reportProblems, ukPostcode } from './life-event-rules';

const TODAY = '2026-06-15';
const PERSON = '0b9e8a52-51b4-4c1e-9a3e-7f0e2d1c4b6a';
const PARENT = '5d1f8c3a-2b7e-4f60-8a19-c3e4d5f6a7b8';
const EVIDENCE = 'GRO:DEATH-2026/000123';

const fields = (report: LifeEventReport, known = {}) => reportProblems(report, TODAY, known).map((p) => p.field);
const messages = (report: LifeEventReport, known = {}) =>
  reportProblems(report, TODAY, known).map((p) => `${p.field} ${p.message}`);

describe('life event reports: what each type must hold', () => {
  const death: LifeEventReport = { type: 'DEATH', date: '2026-06-01', evidenceReference: EVIDENCE, personId: PERSON };

  it('accepts a complete report of each type', () => {
    expect(reportProblems(death, TODAY, { dateOfBirth: '1940-03-02' })).toEqual([]);
    expect(
      reportProblems(
        {
          type: 'BIRTH',
          date: '2026-06-10',
          evidenceReference: 'GRO:BIRTH-2026/0456',
          parentIds: [PARENT],
          child: { givenName: 'Ada', familyName: 'Okafor' },
        },
        TODAY,
      ),
    ).toEqual([]);
    expect(
      reportProblems(
        {
          type: 'CHANGE_OF_ADDRESS',
          date: '2026-05-20',
          evidenceReference: 'CRM:CASE-4471',
          personId: PERSON,
          newAddress: { lines: ['Flat 2', '14 Sumner Road'], postcode: 'se16 7gh', uprn: '200003000270' },
        },
        TODAY,
      ),
    ).toEqual([]);
    expect(
      reportProblems(
        {
          type: 'CHANGE_OF_NAME',
          date: '2026-04-01',
          evidenceReference: 'DEEDPOLL:2026/77',
          personId: PERSON,
          newName: { familyName: 'Okafor-Smith' },
        },
        TODAY,
        { givenName: 'Grace', familyName: 'Okafor' },
      ),
    ).toEqual([]);
  });

  it('refuses dates that are not calendar dates, in the future, implausibly old, or before birth', () => {
    expect(fields({ ...death, date: '2026-02-30' })).toEqual(['date']);
    expect(fields({ ...death, date: '01/06/2026' })).toEqual(['date']);
    expect(messages({ ...death, date: '2026-06-16' })).toEqual(['date is in the future (today is 2026-06-15)']);
    expect(fields({ ...death, date: '1899-12-31' })).toEqual(['date']);
    expect(messages(death, { dateOfBirth: '2026-06-02' })).toEqual([
      "date is before the person's date of birth (2026-06-02)",
    ]);
  });

  it('refuses a second, different death and any other event after a death', () => {
    expect(fields(death, { dateOfDeath: '2026-05-30' })).toEqual(['date']);
    expect(fields(death, { dateOfDeath: '2026-06-01' })).toEqual([]);
    const move: LifeEventReport = {
      type: 'CHANGE_OF_ADDRESS',
      date: '2026-06-02',
      evidenceReference: 'CRM:CASE-4471',
      personId: PERSON,
      newAddress: { lines: ['1 High Street'], postcode: 'SE16 7GH' },
    };
    expect(fields(move, { dateOfDeath: '2026-06-01' })).toEqual(['personId']);
  });

  it('needs an evidence reference, not a note', () => {
    expect(fields({ ...death, evidenceReference: '' })).toEqual(['evidenceReference']);
    expect(fields({ ...death, evidenceReference: 'saw the certificate' })).toEqual(['evidenceReference']);
  });

  it('needs the person by id or by demographics, once, and checks the demographics', () => {
    expect(fields({ ...death, personId: undefined })).toEqual(['personId']);
    expect(
      fields({ ...death, person: { givenName: 'Grace', familyName: 'Okafor', dateOfBirth: '1940-03-02' } }),
    ).toEqual(['person']);
    expect(
      fields({
        ...death,
        personId: undefined,
        person: { givenName: ' ', familyName: 'Okafor', dateOfBirth: '1940-13-02', postcode: 'NOT A CODE' },
      }),
    ).toEqual(['person.givenName', 'person.dateOfBirth', 'person.postcode']);
  });

  it('links a birth to at least one parent and names the child, and nothing else has parents', () => {
    const birth: LifeEventReport = { type: 'BIRTH', date: '2026-06-10', evidenceReference: 'GRO:BIRTH-2026/0456' };
    expect(fields(birth)).toEqual(['parentIds', 'child']);
    expect(fields({ ...birth, parentIds: [PARENT, PARENT], child: { givenName: 'Ada', familyName: '' } })).toEqual([
      'parentIds',
      'child.familyName',
    ]);
    expect(
      fields({ ...birth, personId: PERSON, parentIds: [PARENT], child: { givenName: 'A', familyName: 'B' } }),
    ).toEqual(['personId']);
    expect(fields({ ...death, parentIds: [PARENT] })).toEqual(['child']);
  });

  it('needs a valid UK postcode and a first line for a move, and a UPRN only when it is one', () => {
    const move: LifeEventReport = {
      type: 'CHANGE_OF_ADDRESS',
      date: '2026-05-20',
      evidenceReference: 'CRM:CASE-4471',
      personId: PERSON,
    };
    expect(fields(move)).toEqual(['newAddress']);
    expect(fields({ ...move, newAddress: { lines: [' '], postcode: 'SE16 7G' } })).toEqual([
      'newAddress.postcode',
      'newAddress.lines',
    ]);
    expect(fields({ ...move, newAddress: { lines: ['1 High St'], postcode: 'SE16 7GH', uprn: '0123' } })).toEqual([
      'newAddress.uprn',
    ]);
    expect(fields({ ...death, newAddress: { lines: ['1 High St'], postcode: 'SE16 7GH' } })).toEqual(['newAddress']);
  });

  it('needs a new name for a change of name, different from the name held', () => {
    const rename: LifeEventReport = {
      type: 'CHANGE_OF_NAME',
      date: '2026-04-01',
      evidenceReference: 'DEEDPOLL:2026/77',
      personId: PERSON,
    };
    expect(fields(rename)).toEqual(['newName']);
    expect(fields({ ...rename, newName: { givenName: ' ' } })).toEqual(['newName']);
    expect(
      fields({ ...rename, newName: { familyName: 'okafor ' } }, { givenName: 'Grace', familyName: 'Okafor' }),
    ).toEqual(['newName']);
  });

  it('refuses control characters and bidi overrides in names and address lines', () => {
    const move: LifeEventReport = {
      type: 'CHANGE_OF_ADDRESS',
      date: '2026-05-20',
      evidenceReference: 'CRM:CASE-4471',
      personId: PERSON,
      newAddress: { lines: ['1 High St\u0000', '\u202Eflat'], postcode: 'SE16 7GH' },
    };
    expect(fields(move)).toEqual(['newAddress.lines.0', 'newAddress.lines.1']);
  });
});

describe('dates and postcodes', () => {
  it('knows calendar dates', () => {
    expect(['2024-02-29', '2026-12-31'].map(isCalendarDate)).toEqual([true, true]);
    expect(['2025-02-29', '2026-1-05', '20260105', '2026-00-10', ''].map(isCalendarDate)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('writes UK postcodes in their standard form', () => {
    expect(ukPostcode('sw1a2aa')).toBe('SW1A 2AA');
    expect(ukPostcode('SW1A 2A')).toBeUndefined();
  });
});
