import { Field, InputType, Int } from '@nestjs/graphql';
import { MultilineText } from '../../../common/safe-text';
import { ReviewOutcomeValue, SubjectKindValue } from '../../graphql-enums';

@InputType()
export class AssignCaseInput {
  @Field(() => SubjectKindValue) subjectKind: 'person' | 'household';
  @Field() subjectId: string;
  @Field({ description: 'The team holding the case (token claim `team`).' }) team: string;
  @Field({ nullable: true, description: 'The organisation of that team (or user); the assigner’s own when absent.' })
  organisation?: string;
  @Field({ nullable: true, description: 'One user (token `sub`) rather than the whole team.' }) userSubject?: string;
  @Field({ nullable: true }) validFrom?: Date;
  @Field({ nullable: true }) validTo?: Date;
}

@InputType()
export class BreakGlassInput {
  @Field() personId: string;
  @Field({ description: 'Purpose code the emergency access is for.' }) purpose: string;
  @Field({ description: 'Why this cannot wait for a case assignment (at least 30 characters).' })
  @MultilineText()
  reason: string;
  @Field(() => Int, { description: 'How long, in minutes (at most BREAK_GLASS_MAX_MINUTES).' }) minutes: number;
  @Field({ nullable: true }) caseReference?: string;
}

@InputType()
export class ReviewBreakGlassInput {
  @Field() id: string;
  @Field(() => ReviewOutcomeValue) outcome: 'justified' | 'not-justified';
  @Field() @MultilineText() note: string;
}
