import { goldenIdentity, RecordEvidence } from './golden-identity';

const record = (
  source: string,
  lastSeen: string,
  fields: RecordEvidence['fields'],
  sourceKey = `${source}-1`,
): RecordEvidence => ({
  source,
  sourceKey,
  lastSeen,
  fields,
});

describe('goldenIdentity', () => {
  it('takes names by agreement, with provenance and counts', () => {
    const golden = goldenIdentity([
      record('housing', '2026-01-01', { givenName: 'Robert', familyName: 'Smith' }),
      record('benefits', '2026-03-01', { givenName: 'Bob', familyName: 'Smith' }),
      record('social-care', '2025-06-01', { givenName: 'robert', familyName: 'Smyth' }),
    ]);
    expect(golden.givenName).toEqual({
      value: 'Robert',
      source: 'housing',
      sourceKey: 'housing-1',
      rule: 'most-frequent',
      agreeing: 2,
      holding: 3,
    });
    expect(golden.familyName).toMatchObject({ value: 'Smith', agreeing: 2, holding: 3, source: 'benefits' });
  });

  it('breaks a tie in favour of the most recently confirmed record', () => {
    const golden = goldenIdentity([
      record('housing', '2024-01-01', { familyName: 'Jones' }),
      record('benefits', '2026-01-01', { familyName: 'Jones-Evans' }),
    ]);
    expect(golden.familyName?.value).toBe('Jones-Evans');
  });

  it('takes identifiers from the most trusted source holding a valid one, skipping invalid values', () => {
    const golden = goldenIdentity([
      record('housing', '2026-05-01', { nino: 'AB123456C', nhsNumber: '9434765919' }),
      record('benefits', '2020-01-01', { nino: 'ZZ123456A' }),
      record('social-care', '2021-01-01', { nhsNumber: '1234567890' }),
    ]);
    // Benefits is trusted first for NINOs, but ZZ is a placeholder prefix, so housing's valid one is used.
    expect(golden.nino).toMatchObject({ value: 'AB123456', source: 'housing', rule: 'most-trusted' });
    // Social care's NHS number fails the modulus-11 check.
    expect(golden.nhsNumber).toMatchObject({ value: '9434765919', source: 'housing' });
  });

  it('takes the address as a whole from the most recent record that has one', () => {
    const golden = goldenIdentity([
      record('benefits', '2023-01-01', { uprn: '111', postcode: 'AB1 2CD', addressLines: ['1 Old Road'] }),
      record('housing', '2026-01-01', { uprn: '222', postcode: 'EF3 4GH', addressLines: ['2 New Street'] }),
      record('social-care', '2026-06-01', { givenName: 'Ann' }),
    ]);
    expect(golden.address).toMatchObject({
      value: { uprn: '222', postcode: 'EF3 4GH', addressLines: ['2 New Street'] },
      source: 'housing',
      rule: 'most-recent',
      agreeing: 1,
      holding: 2,
    });
  });

  it('leaves out what no record holds and collects previous names', () => {
    const golden = goldenIdentity([
      record('housing', '2026-01-01', { familyName: 'Brown', previousFamilyNames: ['Green'] }),
    ]);
    expect(golden.email).toBeUndefined();
    expect(golden.dateOfBirth).toBeUndefined();
    expect(golden.previousFamilyNames).toEqual(['Green']);
  });

  it('lets a reported change of name win over records changed before it, and keeps the previous family name', () => {
    const sources = [
      record('housing', '2026-01-01', { givenName: 'Ann', familyName: 'Brown' }),
      record('benefits', '2026-01-02', { givenName: 'Ann', familyName: 'Brown' }),
    ];
    const reported = [record('hub', '2026-03-01', { familyName: 'Green', previousFamilyNames: ['Brown'] })];
    const golden = goldenIdentity(sources, undefined, reported);
    expect(golden.familyName).toMatchObject({ value: 'Green', source: 'hub' });
    expect(golden.givenName).toMatchObject({ value: 'Ann', agreeing: 2 });
    expect(golden.previousFamilyNames).toEqual(['Brown']);
    // A source that changed after the report is weighed with it: here it disagrees, and two records outvote one.
    const later = [
      ...sources,
      { ...record('social-care', '2026-04-01', { familyName: 'White' }), changedAt: '2026-04-01' },
      { ...record('benefits', '2026-04-02', { familyName: 'White' }), changedAt: '2026-04-02' },
    ];
    expect(goldenIdentity(later, undefined, reported).familyName).toMatchObject({ value: 'White' });
  });

  it('takes a reported new address until a source changes after it', () => {
    const sources = [
      record('housing', '2026-01-01', { uprn: '111', postcode: 'AB1 2CD', addressLines: ['1 Old Road'] }),
    ];
    const reported = [record('hub', '2026-03-01', { uprn: '999', postcode: 'ZZ9 9ZZ', addressLines: ['9 New Road'] })];
    expect(goldenIdentity(sources, undefined, reported).address).toMatchObject({
      value: { uprn: '999' },
      source: 'hub',
    });
    // The record was last confirmed after the report but changed before it: the report still stands.
    const confirmed = [{ ...record('housing', '2026-05-01', sources[0].fields), changedAt: '2026-01-01' }];
    expect(goldenIdentity(confirmed, undefined, reported).address).toMatchObject({ value: { uprn: '999' } });
  });
});
