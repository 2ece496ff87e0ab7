import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';

@InputType('AuditActivityInput', {
  description: 'The window: `days` ending today (UTC), or `from` and `to`; at most 366 days. Default the last 30 days.',
})
export class AuditActivityInput {
  @Field(() => Int, { nullable: true, description: 'The last this many UTC days, today included (1 to 366).' })
  days?: number;

  @Field({ nullable: true, description: 'From this time (inclusive); with `to`.' })
  from?: Date;

  @Field({ nullable: true, description: 'Before this time (exclusive); with `from`.' })
  to?: Date;
}

@ObjectType('AuditActivityCount', { description: 'Disclosures to one organisation, or under one purpose.' })
export class AuditActivityCountModel {
  @Field(() => String, {
    nullable: true,
    description: 'The organisation or purpose; null when the event had none (an anonymous actor, no purpose given).',
  })
  name: string | null;

  @Field(() => Int)
  disclosures: number;
}

@ObjectType('AuditActivityDay', { description: 'One UTC day of the window.' })
export class AuditActivityDayModel {
  @Field({ description: 'The UTC day, yyyy-mm-dd.' })
  day: string;

  @Field(() => Int)
  disclosures: number;

  @Field(() => [AuditActivityCountModel], { description: 'By the organisation shown the data, most first.' })
  byOrganisation: AuditActivityCountModel[];

  @Field(() => [AuditActivityCountModel], { description: 'By the purpose given, most first.' })
  byPurpose: AuditActivityCountModel[];
}

@ObjectType('AuditActivity', {
  description:
    'Disclosures (allowed events naming a person or household; the DPO’s own looks aside) per UTC day, exact.',
})
export class AuditActivityModel {
  @Field()
  from: Date;

  @Field()
  to: Date;

  @Field(() => Int)
  disclosures: number;

  @Field(() => [AuditActivityDayModel], { description: 'Every day of the window in order, days with none included.' })
  days: AuditActivityDayModel[];
}
