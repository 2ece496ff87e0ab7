import { londonToday, normaliseReport } from './life-event-intake.service';

describe('the intake before any check', () => {
  it("takes today as London's day, summer time included", () => {
    expect(londonToday(new Date('2026-06-30T23:30:00Z'))).toBe('2026-07-01');
    expect(londonToday(new Date('2026-12-31T23:30:00Z'))).toBe('2026-12-31');
  });

  it('drops blanks and writes postcodes, NINOs and ids in their standard forms, correcting nothing else', () => {
    const report = normaliseReport({
      type: 'CHANGE_OF_ADDRESS',
      date: ' 2026-01-02 ',
      evidenceReference: ' TUO:MOVE-0001 ',
      personId: ' 5A0C0000-0000-4000-8000-000000000001 ',
      newAddress: { lines: [' 12 Elm Grove ', ' '], postcode: 'ls9 9zz', uprn: ' ' },
      newName: undefined,
    });
    expect(report).toEqual({
      type: 'CHANGE_OF_ADDRESS',
      date: '2026-01-02',
      evidenceReference: 'TUO:MOVE-0001',
      personId: '5a0c0000-0000-4000-8000-000000000001',
      newAddress: { lines: ['12 Elm Grove'], postcode: 'LS9 9ZZ' },
    });
    // A postcode that is not one is kept as given, for the check to name it.
    expect(
      normaliseReport({ ...report, newAddress: { lines: ['x'], postcode: 'NOT A POSTCODE' } }).newAddress?.postcode,
    ).toBe('NOT A POSTCODE');
    expect(
      normaliseReport({
        type: 'DEATH',
        date: '2026-01-02',
        evidenceReference: 'GRO:DE-0001',
        person: {
          givenName: ' Ann ',
          familyName: 'Lee',
          dateOfBirth: '1950-01-01',
          nino: 'jh 12 34 56 c',
          postcode: ' ',
        },
      }).person,
    ).toEqual({ givenName: 'Ann', familyName: 'Lee', dateOfBirth: '1950-01-01', nino: 'JH123456C' });
  });
});
