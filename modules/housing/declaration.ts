import { SourceDeclaration } from '../../src/sources/source-declaration';

/** The housing system as the hub shows it: declared once, everything else derived (docs/sources.md). */
export const housingDeclaration: SourceDeclaration = {
  id: 'housing',
  name: 'Housing (tenancies and homelessness)',
  graphql: {
    field: 'housing',
    type: 'HousingRecords',
    typeDescription: 'Live from the housing system. A list is withheld when none of its fields is released.',
    fieldDescription: 'Live from the housing system.',
  },
  trust: { nino: 2, nhsNumber: 2, dateOfBirth: 3 },
  categories: [
    {
      name: 'tenancy',
      description: 'Council tenancies: household members, tenure and rent account status',
      specialCategory: false,
      graphql: {
        list: 'tenancies',
        type: 'Tenancy',
        description: 'A council tenancy the person is on, from the housing system.',
      },
      fields: {
        tenancyRef: 'String',
        role: 'String',
        tenure: 'String',
        startDate: 'String',
        endDate: 'String',
        rentAccountStatus: 'String',
        uprn: 'String',
      },
    },
    {
      name: 'homelessness-application',
      description: 'Homelessness applications and the duty owed',
      specialCategory: false,
      graphql: {
        list: 'homelessnessApplications',
        type: 'HomelessnessApplication',
        description: 'A homelessness application, from the housing system.',
      },
      fields: { applicationRef: 'String', role: 'String', status: 'String', applicationDate: 'String' },
    },
  ],
};
