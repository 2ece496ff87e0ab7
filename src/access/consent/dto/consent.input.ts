import { Field, InputType } from '@nestjs/graphql';
import { MultilineText } from '../../../common/safe-text';
import { ConsentStatusValue, ObjectionKindValue, ObjectionReviewOutcomeValue } from '../../graphql-enums';

const EVIDENCE_DESCRIPTION =
  'Where the evidence is kept, as SYSTEM:REFERENCE, e.g. "EDRMS:EH-2025-00123" (a reference, not a note).';
const BREAK_GLASS_DESCRIPTION = 'Your break-glass grant for this person, when you hold no case for them.';

@InputType()
export class RecordConsentInput {
  @Field() personId: string;
  @Field(() => ConsentStatusValue) status: 'given' | 'refused' | 'withdrawn';
  @Field({ nullable: true, description: 'Purpose code; absent covers every purpose.' }) purpose?: string;
  @Field({ nullable: true, description: 'Organisation id; absent covers every recipient.' })
  recipientOrganisation?: string;
  @Field({
    nullable: true,
    description: 'Source id (housing, benefits, social-care, hub); absent covers every source.',
  })
  source?: string;
  @Field({ description: EVIDENCE_DESCRIPTION }) evidence: string;
  @Field({ nullable: true }) validFrom?: Date;
  @Field({ nullable: true }) validTo?: Date;
  @Field({ nullable: true, description: BREAK_GLASS_DESCRIPTION }) breakGlassId?: string;
}

@InputType()
export class RecordObjectionInput {
  @Field() personId: string;
  @Field(() => ObjectionKindValue) kind: 'objection' | 'restriction';
  @Field({ nullable: true }) purpose?: string;
  @Field({ nullable: true }) recipientOrganisation?: string;
  @Field({ nullable: true }) source?: string;
  @Field({ description: 'The grounds the person gave, in a sentence (at least four different words).' })
  @MultilineText({ maxLength: 2000 })
  reason: string;
  @Field({ description: EVIDENCE_DESCRIPTION }) evidence: string;
  @Field({ nullable: true }) validFrom?: Date;
  @Field({ nullable: true, description: BREAK_GLASS_DESCRIPTION }) breakGlassId?: string;
}

@InputType()
export class ReviewObjectionInput {
  @Field() id: string;
  @Field(() => ObjectionReviewOutcomeValue) outcome: 'confirmed' | 'dismissed';
  @Field({ description: 'What the DPO found.' }) @MultilineText() note: string;
}
