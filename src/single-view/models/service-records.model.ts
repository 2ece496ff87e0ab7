import { Field, Float, ObjectType } from '@nestjs/graphql';
import { ReleasedAs } from '../../engine/policy/policy.decorator';

interface FieldSpec {
  name: string;
  float?: boolean;
}

/** The categories the single view shows, with their fields, exactly as the adapters' describe() names them. */
export const SERVICE_CATEGORIES = {
  housing: {
    tenancy: ['tenancyRef', 'role', 'tenure', 'startDate', 'endDate', 'rentAccountStatus', 'uprn'],
    'homelessness-application': ['applicationRef', 'role', 'status', 'applicationDate'],
  },
  benefits: {
    'housing-benefit-claim': ['claimRef', 'role', 'status', 'awardStartDate', 'awardEndDate', 'weeklyAmount'],
    'council-tax-reduction-claim': ['claimRef', 'role', 'status', 'awardStartDate', 'awardEndDate', 'weeklyAmount'],
  },
  'social-care': {
    'adult-social-care': ['caseId', 'caseType', 'allocatedTeam', 'openedOn', 'closedOn'],
    'children-social-care': ['caseId', 'caseType', 'allocatedTeam', 'openedOn', 'closedOn'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

const floats = new Set(['weeklyAmount']);

/**
 * A GraphQL type for one category of a source's records: one nullable field per category field, each
 * released as `source.category.field`. Generated from the table above, so the schema cannot drift from
 * the agreement field names.
 */
function serviceRecordType(
  name: string,
  source: keyof typeof SERVICE_CATEGORIES,
  category: string,
  description: string,
) {
  @ObjectType(name, { description })
  class ServiceRecordType {}
  const fields = (SERVICE_CATEGORIES[source] as Record<string, readonly string[]>)[category];
  for (const spec of fields.map((field): FieldSpec => ({ name: field, float: floats.has(field) }))) {
    ReleasedAs(`${source}.${category}.${spec.name}`)(ServiceRecordType.prototype, spec.name);
    Field(() => (spec.float ? Float : String), { nullable: true })(ServiceRecordType.prototype, spec.name);
  }
  return ServiceRecordType;
}

export const TenancyModel = serviceRecordType(
  'Tenancy',
  'housing',
  'tenancy',
  'A council tenancy the person is on, from the housing system.',
);
export const HomelessnessApplicationModel = serviceRecordType(
  'HomelessnessApplication',
  'housing',
  'homelessness-application',
  'A homelessness application, from the housing system.',
);
export const HousingBenefitClaimModel = serviceRecordType(
  'HousingBenefitClaim',
  'benefits',
  'housing-benefit-claim',
  'A Housing Benefit claim the person is a party to.',
);
export const CouncilTaxReductionClaimModel = serviceRecordType(
  'CouncilTaxReductionClaim',
  'benefits',
  'council-tax-reduction-claim',
  'A Council Tax Reduction claim the person is a party to.',
);
export const AdultSocialCareModel = serviceRecordType(
  'AdultSocialCareInvolvement',
  'social-care',
  'adult-social-care',
  "An adults' social care involvement (special category data).",
);
export const ChildrenSocialCareModel = serviceRecordType(
  'ChildrenSocialCareInvolvement',
  'social-care',
  'children-social-care',
  "A children's social care involvement (special category data).",
);

/** A category's records as GraphQL returns them: the source's fields by name. */
export type ServiceRecordView = Record<string, unknown>;

@ObjectType('HousingRecords', {
  description: 'Live from the housing system. A list is withheld when none of its fields is released.',
})
export class HousingRecordsModel {
  @Field(() => [TenancyModel])
  tenancies: ServiceRecordView[];

  @Field(() => [HomelessnessApplicationModel])
  homelessnessApplications: ServiceRecordView[];
}

@ObjectType('BenefitsRecords', { description: 'Live from the benefits system.' })
export class BenefitsRecordsModel {
  @Field(() => [HousingBenefitClaimModel])
  housingBenefitClaims: ServiceRecordView[];

  @Field(() => [CouncilTaxReductionClaimModel])
  councilTaxReductionClaims: ServiceRecordView[];
}

@ObjectType('SocialCareRecords', {
  description: 'Live from the social care system (special category data, UK GDPR Art. 9).',
})
export class SocialCareRecordsModel {
  @Field(() => [AdultSocialCareModel])
  adultSocialCare: ServiceRecordView[];

  @Field(() => [ChildrenSocialCareModel])
  childrenSocialCare: ServiceRecordView[];
}

/** GraphQL list field → source category, per source. */
export const CATEGORY_FIELDS: Record<string, Record<string, string>> = {
  housing: { tenancies: 'tenancy', homelessnessApplications: 'homelessness-application' },
  benefits: { housingBenefitClaims: 'housing-benefit-claim', councilTaxReductionClaims: 'council-tax-reduction-claim' },
  'social-care': { adultSocialCare: 'adult-social-care', childrenSocialCare: 'children-social-care' },
};
