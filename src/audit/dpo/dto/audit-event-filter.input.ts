import { Field, InputType } from '@nestjs/graphql';
import { SeqScalar } from '../seq.scalar';

@InputType('AuditEventFilter', { description: 'Every criterion given narrows the search.' })
export class AuditEventFilterInput {
  @Field({ nullable: true, description: 'Events naming this person.' })
  personId?: string;

  @Field({ nullable: true })
  householdId?: string;

  @Field({ nullable: true, description: 'The acting user or client (token subject).' })
  actorSubject?: string;

  @Field({ nullable: true, description: 'The acting user’s organisation.' })
  organisation?: string;

  @Field({ nullable: true })
  purpose?: string;

  @Field({ nullable: true, description: 'allow, allow-with-redactions, deny, error or change.' })
  decision?: string;

  @Field({ nullable: true, description: 'An operation (person.view) or a class of them ending in a dot (person.).' })
  operation?: string;

  @Field({ nullable: true })
  breakGlassId?: string;

  @Field({ nullable: true })
  caseReference?: string;

  @Field({ nullable: true, description: 'From this time (inclusive).' })
  from?: Date;

  @Field({ nullable: true, description: 'Before this time (exclusive).' })
  to?: Date;

  @Field(() => SeqScalar, { nullable: true })
  fromSeq?: number;

  @Field(() => SeqScalar, { nullable: true })
  toSeq?: number;
}
