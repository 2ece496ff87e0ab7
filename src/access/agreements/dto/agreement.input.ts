import { Field, InputType, Int } from '@nestjs/graphql';
import { Role } from '../../../engine/principal';
import { LawfulBasisValue, RoleValue } from '../../graphql-enums';
import { LawfulBasis } from '../../policy/policy.types';

@InputType()
export class SpecialCategoryConditionInput {
  @Field({ description: 'Letter of UK GDPR Art. 9(2), a-j.' }) article9: string;
  @Field(() => Int, {
    nullable: true,
    description: 'DPA 2018 Schedule 1 paragraph; required for (b), (g), (h), (i), (j).',
  })
  schedule1Paragraph?: number;
}

@InputType()
export class FieldReleaseInput {
  @Field() purpose: string;
  @Field(() => [String], { description: 'Field references, source.category.field, e.g. housing.tenancy.rentArrears.' })
  fields: string[];
}

@InputType({ description: 'The content of an agreement version. Versions are immutable once written.' })
export class AgreementContentInput {
  @Field() title: string;
  @Field(() => [String], { description: 'Organisation ids.' }) parties: string[];
  @Field(() => [String], { description: 'Purpose codes.' }) purposes: string[];
  @Field(() => LawfulBasisValue) lawfulBasis: LawfulBasis;
  @Field(() => SpecialCategoryConditionInput, { nullable: true })
  specialCategoryCondition?: SpecialCategoryConditionInput;
  @Field(() => [FieldReleaseInput]) releases: FieldReleaseInput[];
  @Field(() => [RoleValue]) roles: Role[];
  @Field() caseReferenceRequired: boolean;
  @Field(() => Int, {
    nullable: true,
    description:
      'Persons a day one client of a party is expected to be shown under this agreement; past it the disclosure is flagged for the DPO.',
  })
  expectedDailyVolume?: number;
  @Field({
    nullable: true,
    description: 'Refuse a client past expectedDailyVolume (needs one), rather than only flag it. Default false.',
  })
  refuseAboveExpectedVolume?: boolean;
  @Field() validFrom: Date;
  @Field({ nullable: true }) validTo?: Date;
  @Field({ description: 'YYYY-MM-DD' }) reviewDate: string;
}
