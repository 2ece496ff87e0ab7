import { Field, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('BreakGlassReview', {
  description: 'A break-glass grant, its review outcome, and what the audit trail shows it was used for.',
})
export class BreakGlassReviewModel {
  @Field() id: string;
  @Field() granteeSubject: string;
  @Field() granteeOrganisation: string;
  @Field() personId: string;
  @Field() purpose: string;
  @Field(() => String, { nullable: true }) caseReference: string | null;
  @Field() reason: string;
  @Field() grantedAt: Date;
  @Field() expiresAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
  @Field({ description: 'pending, justified or not-justified.' }) reviewStatus: string;
  @Field(() => String, { nullable: true }) reviewedBy: string | null;
  @Field(() => Date, { nullable: true }) reviewedAt: Date | null;
  @Field(() => String, { nullable: true }) reviewNote: string | null;
  @Field(() => Int, { description: 'Disclosures made under the grant.' }) disclosures: number;
  @Field(() => [String]) personsSeen: string[];
  @Field(() => [String], { description: 'source:field names released under the grant.' }) fieldsReleased: string[];
  @Field(() => Date, { nullable: true }) firstUsedAt: Date | null;
  @Field(() => Date, { nullable: true }) lastUsedAt: Date | null;
}
