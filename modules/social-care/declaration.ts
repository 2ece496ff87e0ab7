import { SourceDeclaration } from '../../src/sources/source-declaration';

const caseFields = {
  caseId: 'String',
  caseType: 'String',
  allocatedTeam: 'String',
  openedOn: 'String',
  closedOn: 'String',
} as const;

/**
 * The social care system as the hub shows it. Special category as a whole (UK GDPR Art. 9): even that it
 * knows a person. NHS numbers come to it from the NHS spine, so they are trusted first.
 */
export const socialCareDeclaration: SourceDeclaration = {
  id: 'social-care',
  name: "Social care (adults' and children's services)",
  graphql: {
    field: 'socialCare',
    type: 'SocialCareRecords',
    typeDescription: 'Live from the social care system (special category data, UK GDPR Art. 9).',
    fieldDescription: 'Live from the social care system (special category).',
    involvementDescription: 'Special category data (UK GDPR Art. 9).',
  },
  specialCategory: 'whole',
  trust: { nino: 3, nhsNumber: 1, dateOfBirth: 2 },
  categories: [
    {
      name: 'adult-social-care',
      description: "Adults' social care involvements",
      specialCategory: true,
      graphql: {
        list: 'adultSocialCare',
        type: 'AdultSocialCareInvolvement',
        description: "An adults' social care involvement (special category data).",
      },
      fields: caseFields,
    },
    {
      name: 'children-social-care',
      description: "Children's social care involvements",
      specialCategory: true,
      graphql: {
        list: 'childrenSocialCare',
        type: 'ChildrenSocialCareInvolvement',
        description: "A children's social care involvement (special category data).",
      },
      fields: caseFields,
    },
  ],
};
