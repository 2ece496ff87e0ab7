import { mapHousingTenant, splitFullName, tenancyRecord } from './housing.mapper';

const tenant = {
  tenant_ref: ' T0200001 ',
  title: 'Mrs',
  full_name: 'Freya Chidinma Van Der Berg',
  previous_surname: 'Ali',
  dob: '11/03/1995',
  gender: 'Female',
  ni_number: 'px 07 14 31 d',
  property: {
    uprn: '200003000102',
    address1: 'Flat 3',
    address2: 'Tennyson House',
    address3: '12 Rye Lane',
    town: 'Peckham',
    post_code: 'se15 4ql',
  },
  tel: '07485 513128',
  email: 'Freya@Example.org',
  tenancy_ref: 'TEN010001',
  tenancy_role: 'Joint Tenant',
  tenancy_start: '26/02/2008',
  last_modified: '10/10/2025 22:12:16',
  record_status: 'Current',
};

describe('housing mapping', () => {
  it('maps a tenant to identity fields and a tenancy hint, dates from dd/MM/yyyy to ISO', () => {
    const mapped = mapHousingTenant(tenant);
    expect(mapped).toEqual({
      sourceKey: 'T0200001',
      identity: {
        givenName: 'Freya',
        middleNames: 'Chidinma',
        familyName: 'Van Der Berg',
        previousFamilyNames: ['Ali'],
        dateOfBirth: '1995-03-11',
        sex: 'F',
        nino: 'px 07 14 31 d',
        uprn: '200003000102',
        addressLines: ['Flat 3', 'Tennyson House', '12 Rye Lane'],
        locality: 'Peckham',
        postcode: 'SE15 4QL',
        phone: '07485 513128',
        email: 'freya@example.org',
      },
      householdHints: [
        { groupKey: 'TEN010001', kind: 'tenancy', role: 'joint-tenant', uprn: '200003000102', from: '2008-02-26' },
      ],
      updatedAt: '2025-10-10T22:12:16.000Z',
    });
  });

  it('splits a single name string, keeping surname particles and dropping Jnr/Snr', () => {
    expect(splitFullName('Robert Smith Jnr')).toEqual({ givenName: 'Robert', familyName: 'Smith' });
    expect(splitFullName('Anna Maria da Silva')).toEqual({
      givenName: 'Anna',
      middleNames: 'Maria',
      familyName: 'da Silva',
    });
    expect(splitFullName('Jo Smith-Jones')).toEqual({ givenName: 'Jo', familyName: 'Smith-Jones' });
    expect(splitFullName('Madonna')).toEqual({ familyName: 'Madonna' });
  });

  it('reports a date that is not a real dd/MM/yyyy date and leaves it out', () => {
    const mapped = mapHousingTenant({ ...tenant, dob: '31/02/1980', tenancy_start: '2008-02-26' });
    expect(mapped).toMatchObject({ identity: expect.not.objectContaining({ dateOfBirth: expect.anything() }) });
    expect('issues' in mapped && mapped.issues).toEqual([
      {
        field: 'dateOfBirth',
        code: 'malformed-date',
        reason: 'dateOfBirth: "31/02/1980" is not a dd/MM/yyyy date',
        value: '31/02/1980',
      },
      {
        field: 'householdHints.from',
        code: 'malformed-date',
        reason: 'householdHints.from: "2008-02-26" is not a dd/MM/yyyy date',
        value: '2008-02-26',
      },
    ]);
  });

  it('rejects a record without a tenant reference, and passes tombstones on as deletions', () => {
    expect(mapHousingTenant({ ...tenant, tenant_ref: '  ' })).toEqual({
      code: 'missing-key',
      reason: 'tenant_ref: missing',
      raw: expect.any(Object),
    });
    expect(mapHousingTenant('nonsense')).toMatchObject({ code: 'invalid-record' });
    expect(mapHousingTenant({ ...tenant, record_status: 'Deleted' })).toMatchObject({
      sourceKey: 'T0200001',
      deleted: true,
      identity: {},
    });
  });

  it('gives a homelessness applicant an application hint, and a tenancy as a service record', () => {
    const mapped = mapHousingTenant({
      ...tenant,
      tenancy_ref: null,
      application_ref: 'HA030001',
      tenancy_role: 'Applicant',
    });
    expect('householdHints' in mapped && mapped.householdHints).toEqual([
      {
        groupKey: 'HA030001',
        kind: 'housing-application',
        role: 'applicant',
        uprn: '200003000102',
        from: '2008-02-26',
      },
    ]);
    expect(
      tenancyRecord({
        tenancy_ref: 'TEN1',
        tenancy_role: 'Lead Tenant',
        tenure: 'Secure',
        tenancy_start: '01/04/2015',
        tenancy_end: null,
        rent_account_status: 'Arrears',
        uprn: '1',
      }),
    ).toEqual({
      category: 'tenancy',
      recordId: 'TEN1',
      fields: {
        tenancyRef: 'TEN1',
        role: 'tenant',
        tenure: 'Secure',
        startDate: '2015-04-01',
        endDate: null,
        rentAccountStatus: 'Arrears',
        uprn: '1',
      },
    });
  });
});
