import { SourceDeclaration, SourceFieldType } from '../../src/sources/source-declaration';

const claimFields: Record<string, SourceFieldType> = {
  claimRef: 'String',
  role: 'String',
  status: 'String',
  awardStartDate: 'String',
  awardEndDate: 'String',
  weeklyAmount: 'Float',
};

/**
 * The benefits system as the hub shows it. Claims are checked against DWP records, so its NINOs and dates
 * of birth are trusted first.
 */
export const benefitsDeclaration: SourceDeclaration = {
  id: 'benefits',
  name: 'Benefits (Housing Benefit and Council Tax Reduction)',
  graphql: {
    field: 'benefits',
    type: 'BenefitsRecords',
    typeDescription: 'Live from the benefits system.',
    fieldDescription: 'Live from the benefits system.',
  },
  trust: { nino: 1, nhsNumber: 3, dateOfBirth: 1 },
  categories: [
    {
      name: 'housing-benefit-claim',
      description: 'Housing Benefit claims: role, status and award',
      specialCategory: false,
      graphql: {
        list: 'housingBenefitClaims',
        type: 'HousingBenefitClaim',
        description: 'A Housing Benefit claim the person is a party to.',
      },
      fields: claimFields,
    },
    {
      name: 'council-tax-reduction-claim',
      description: 'Council Tax Reduction claims: role, status and award',
      specialCategory: false,
      graphql: {
        list: 'councilTaxReductionClaims',
        type: 'CouncilTaxReductionClaim',
        description: 'A Council Tax Reduction claim the person is a party to.',
      },
      fields: claimFields,
    },
  ],
};
