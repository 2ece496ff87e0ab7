import { careBirthDate, involvementRecord, mapCarePerson, splitCareName } from './social-care.mapper';

const person = {
  personId: '1000005',
  name: "O'BRIEN-SMITH, Elizabeth Anne",
  formerNames: ['JONES'],
  birthDate: '15-Oct-2012',
  gender: 'Female',
  nhsNo: '943 476 5919',
  niNo: null,
  address: { uprn: '200003000102', addressText: 'Flat 3, Tennyson House, 12 Rye Lane, Peckham', postcode: 'SE15 4QL' },
  family: { familyId: 'F005001', relationship: 'Mother' },
  lastUpdated: '20250511103000123',
  recordState: 'ACTIVE',
};

describe('social care mapping', () => {
  it('maps a person to identity fields and a care-family hint ("SURNAME, Forenames", dd-MMM-yyyy)', () => {
    expect(mapCarePerson(person)).toEqual({
      sourceKey: '1000005',
      identity: {
        familyName: "O'Brien-Smith",
        givenName: 'Elizabeth',
        middleNames: 'Anne',
        previousFamilyNames: ['Jones'],
        dateOfBirth: '2012-10-15',
        sex: 'F',
        nhsNumber: '9434765919',
        uprn: '200003000102',
        addressLines: ['Flat 3', 'Tennyson House', '12 Rye Lane'],
        locality: 'Peckham',
        postcode: 'SE15 4QL',
      },
      householdHints: [{ groupKey: 'F005001', kind: 'care-family', role: 'parent', uprn: '200003000102' }],
      updatedAt: '2025-05-11T10:30:00.123Z',
    });
  });

  it('reads names and birth dates in the product layout, and reports one it cannot read', () => {
    expect(splitCareName('VAN DER BERG, Anna')).toEqual({ familyName: 'Van Der Berg', givenName: 'Anna' });
    expect(splitCareName('SMITH')).toEqual({ familyName: 'Smith' });
    const issues: never[] = [];
    expect(careBirthDate('1-mar-1980', issues)).toBe('1980-03-01');
    expect(careBirthDate('30-Feb-1980', issues)).toBeUndefined();
    expect(careBirthDate('1980-03-01', issues)).toBeUndefined();
    expect(issues).toHaveLength(2);
  });

  it('rejects a person without an id, and takes REMOVED records as deletions', () => {
    expect(mapCarePerson({ ...person, personId: '' })).toMatchObject({ code: 'missing-key' });
    expect(mapCarePerson({ ...person, recordState: 'REMOVED' })).toMatchObject({ sourceKey: '1000005', deleted: true });
  });

  it('gives involvements as special-category service records with ISO dates', () => {
    expect(
      involvementRecord({
        personId: '1',
        caseId: 'C700001',
        caseType: 'CHILDREN',
        allocatedTeam: 'Early Help',
        openDate: '20250511',
        closeDate: null,
      }),
    ).toEqual({
      category: 'children-social-care',
      recordId: 'C700001',
      fields: {
        caseId: 'C700001',
        caseType: 'children',
        allocatedTeam: 'Early Help',
        openedOn: '2025-05-11',
        closedOn: null,
      },
    });
  });
});
