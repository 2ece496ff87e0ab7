import { claimRecord, mapBenefitsParty } from './benefits.mapper';

const party = {
  partyId: '40000008-02',
  claimReference: '40000008',
  partyRole: 'PTNR',
  person: {
    forename: 'Ada',
    otherForenames: 'Augusta',
    surname: 'King',
    formerSurnames: ['Byron', ' '],
    dateOfBirth: '1985-12-10',
    sex: 'F',
    nino: 'AB123456C',
    contact: { phone: '07700 900123', email: 'ADA@example.com' },
  },
  claimAddress: { uprn: '200003000009', lines: ['12 Rye Lane'], town: 'Peckham', postcode: 'se15 4ql' },
  awardStartDate: '2023-08-29',
  awardEndDate: null,
  changeSeq: 7,
  lastChanged: '2025-10-08T18:54:07Z',
};

describe('benefits mapping', () => {
  it('maps a claim party to identity fields and a benefit-claim hint (separate name fields, ISO dates)', () => {
    expect(mapBenefitsParty(party)).toEqual({
      sourceKey: '40000008-02',
      identity: {
        givenName: 'Ada',
        middleNames: 'Augusta',
        familyName: 'King',
        previousFamilyNames: ['Byron'],
        dateOfBirth: '1985-12-10',
        sex: 'F',
        nino: 'AB123456C',
        phone: '07700 900123',
        email: 'ada@example.com',
        uprn: '200003000009',
        addressLines: ['12 Rye Lane'],
        locality: 'Peckham',
        postcode: 'SE15 4QL',
      },
      householdHints: [
        { groupKey: '40000008', kind: 'benefit-claim', role: 'partner', uprn: '200003000009', from: '2023-08-29' },
      ],
      updatedAt: '2025-10-08T18:54:07.000Z',
    });
  });

  it('reports an impossible ISO date and leaves it out', () => {
    const mapped = mapBenefitsParty({ ...party, person: { ...party.person, dateOfBirth: '1985-02-30' } });
    expect('identity' in mapped && mapped.identity.dateOfBirth).toBeUndefined();
    expect('issues' in mapped && mapped.issues).toEqual([
      expect.objectContaining({ field: 'dateOfBirth', code: 'malformed-date', value: '1985-02-30' }),
    ]);
  });

  it('rejects a party without an id or a person, and takes tombstones as deletions', () => {
    expect(mapBenefitsParty({ ...party, partyId: undefined })).toMatchObject({
      code: 'missing-key',
      reason: 'partyId: missing',
    });
    expect(mapBenefitsParty({ ...party, person: undefined })).toMatchObject({
      sourceKey: '40000008-02',
      code: 'invalid-record',
      reason: 'person: missing',
    });
    expect(
      mapBenefitsParty({
        partyId: '40000008-02',
        claimReference: '40000008',
        deleted: true,
        changeSeq: 9,
        lastChanged: '2025-11-01T00:00:00Z',
      }),
    ).toMatchObject({ deleted: true });
  });

  it('turns a combined HB and CTR claim into one service record per scheme', () => {
    const records = claimRecord(
      {
        claimReference: '40000008',
        schemes: ['HB', 'CTR'],
        status: 'LIVE',
        awardStartDate: '2023-08-29',
        awardEndDate: null,
        weeklyHousingBenefit: 120.5,
        weeklyCouncilTaxReduction: 8.09,
        parties: [{ partyId: '40000008-02', partyRole: 'PTNR' }],
      },
      '40000008-02',
    );
    expect(records.map((r) => [r.category, r.recordId, r.fields.role, r.fields.weeklyAmount])).toEqual([
      ['housing-benefit-claim', '40000008/HB', 'partner', 120.5],
      ['council-tax-reduction-claim', '40000008/CTR', 'partner', 8.09],
    ]);
  });
});
