import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { NotPersonalData, ReleasedAs } from '../engine/policy/policy.decorator';
import { LIFE_EVENT_FIELDS } from './delivery-plan';

export enum LifeEventTypeValue {
  DEATH = 'DEATH',
  BIRTH = 'BIRTH',
  CHANGE_OF_ADDRESS = 'CHANGE_OF_ADDRESS',
  CHANGE_OF_NAME = 'CHANGE_OF_NAME',
}
export enum LifeEventStatusValue {
  /** Reported by demographics and not yet matched for certain: a data steward decides; nothing is delivered. */
  AWAITING_MATCH = 'AWAITING_MATCH',
  ACCEPTED = 'ACCEPTED',
  WITHDRAWN = 'WITHDRAWN',
  /** A data steward found no one in the index the report is about: nothing was delivered. */
  REJECTED = 'REJECTED',
}
export enum SexValue {
  F = 'F',
  M = 'M',
  X = 'X',
}
export enum RecipientKindValue {
  SOURCE = 'source',
  PARTNER = 'partner',
}
registerEnumType(LifeEventTypeValue, { name: 'LifeEventType' });
registerEnumType(LifeEventStatusValue, { name: 'LifeEventStatus' });
registerEnumType(SexValue, { name: 'Sex' });
registerEnumType(RecipientKindValue, { name: 'LifeEventRecipientKind' });

@InputType({ description: 'The person an event is about, described rather than named by id: the hub finds them.' })
export class ReportedPersonInput {
  @Field() givenName: string;
  @Field() familyName: string;
  @Field({ description: 'YYYY-MM-DD.' }) dateOfBirth: string;
  @Field({ nullable: true }) postcode?: string;
  @Field({ nullable: true }) nino?: string;
  @Field({ nullable: true }) nhsNumber?: string;
}

@InputType()
export class ReportedAddressInput {
  @Field(() => [String], { description: 'At most 5 lines; at least the first.' }) lines: string[];
  @Field({ description: 'A valid UK postcode.' }) postcode: string;
  @Field({ nullable: true, description: 'The Unique Property Reference Number, when known (1-12 digits).' })
  uprn?: string;
}

@InputType()
export class ReportedNameInput {
  @Field({ nullable: true }) givenName?: string;
  @Field({ nullable: true }) middleNames?: string;
  @Field({ nullable: true }) familyName?: string;
}

@InputType()
export class ReportedChildInput {
  @Field() givenName: string;
  @Field() familyName: string;
  @Field(() => SexValue, { nullable: true }) sex?: 'F' | 'M' | 'X';
}

@InputType({ description: 'A life event reported once (Tell Us Once, docs/life-events.md).' })
export class ReportLifeEventInput {
  @Field(() => LifeEventTypeValue) type: LifeEventTypeValue;
  @Field({ description: 'When it happened: the date of death or birth, of the move, of the change (YYYY-MM-DD).' })
  date: string;
  @Field({
    description:
      'Where the evidence is kept, as SYSTEM:REFERENCE (the register entry, the deed poll), e.g. "GRO:DE-2026-004512". A second report with the same reference is the same event.',
  })
  evidenceReference: string;
  @Field(() => ID, { nullable: true, description: 'The person the event is about (not for a birth).' })
  personId?: string;
  @Field(() => ReportedPersonInput, { nullable: true, description: 'Instead of personId: who they are.' })
  person?: ReportedPersonInput;
  @Field(() => ReportedAddressInput, { nullable: true, description: 'CHANGE_OF_ADDRESS: the new address.' })
  newAddress?: ReportedAddressInput;
  @Field(() => ReportedNameInput, { nullable: true, description: 'CHANGE_OF_NAME: the new name.' })
  newName?: ReportedNameInput;
  @Field(() => [ID], { nullable: true, description: 'BIRTH: the parents the hub knows (one or two).' })
  parentIds?: string[];
  @Field(() => ReportedChildInput, { nullable: true, description: 'BIRTH: the child.' })
  child?: ReportedChildInput;
}

@InputType()
export class LifeEventFilterInput {
  @Field(() => LifeEventStatusValue, { nullable: true }) status?: LifeEventStatusValue;
  @Field(() => LifeEventTypeValue, { nullable: true }) type?: LifeEventTypeValue;
  @Field(() => ID, { nullable: true }) personId?: string;
  @Field({ nullable: true, description: 'Reported at or after.' }) reportedFrom?: Date;
  @Field({ nullable: true, description: 'Reported before.' }) reportedBefore?: Date;
}

@ObjectType('LifeEventDelivery', { description: 'One delivery of an event (or of its retraction) to one recipient.' })
export class LifeEventDeliveryModel {
  @Field(() => ID) id: string;
  @Field({ description: 'NOTICE or RETRACTION.' }) kind: string;
  @Field(() => RecipientKindValue) recipientKind: string;
  @Field({ description: 'The source system or partner.' }) recipient: string;
  @Field({ description: 'PENDING, DELIVERED, DEAD or CANCELLED.' }) status: string;
  @Field(() => Int) attempts: number;
  @Field({ nullable: true, description: 'Why the last attempt failed (never personal data).' }) lastError?: string;
  @Field({ nullable: true }) deliveredAt?: Date;
  @Field({ nullable: true, description: "The recipient's answer: applied, already-applied, nothing-to-do." })
  outcome?: string;
  @Field() agreementId: string;
  @Field(() => Int) agreementVersion: number;
  @Field(() => [String], { description: 'The fields released to this recipient.' }) fields: string[];
}

@ObjectType('LifeEventMatchCandidate', { description: 'A person the report may be about, for a data steward.' })
export class LifeEventMatchCandidateModel {
  @Field(() => ID) personId: string;
  @Field(() => Float, { description: 'Search score, 0 to 1.' }) score: number;
}

@ObjectType('LifeEvent', { description: 'A reported life event, and the receipt of its deliveries.' })
export class LifeEventModel {
  @Field(() => ID) id: string;
  @Field(() => LifeEventTypeValue) type: string;
  @Field(() => LifeEventStatusValue) status: string;
  @Field(() => ID, { nullable: true, description: 'Who it is about (for a birth: the child, new in the index).' })
  personId?: string;
  @Field({ description: 'YYYY-MM-DD.' }) date: string;
  @Field() evidenceReference: string;
  @Field({ description: 'Who reported it (their user id).' }) reportedBy: string;
  @Field() reportedAt: Date;
  @Field({
    description:
      'True when this report repeated an earlier one: the first event is returned, nothing is delivered again.',
  })
  repeat: boolean;
  @Field(() => [ID], { description: 'BIRTH: the parents.' }) parentIds: string[];
  @Field({ nullable: true }) withdrawnAt?: Date;
  @Field({ nullable: true }) withdrawalReason?: string;
  @Field({ nullable: true, description: 'Who accepted or rejected the match (a data steward).' }) decidedBy?: string;
  @Field({ nullable: true }) decidedAt?: Date;
  @Field(() => [LifeEventMatchCandidateModel], {
    description: 'AWAITING_MATCH: the persons the report may be about, best first.',
  })
  matchCandidates: LifeEventMatchCandidateModel[];
  @Field(() => [String], {
    description: 'Subscribers not told, and why (no agreement in force for them; the source holds no record).',
  })
  notDelivered: string[];
  @Field(() => [LifeEventDeliveryModel]) deliveries: LifeEventDeliveryModel[];
}

@ObjectType('LifeEventPage')
export class LifeEventPageModel {
  @Field(() => [LifeEventModel]) items: LifeEventModel[];
  @Field({ nullable: true, description: 'Pass as `after` for the next page; absent on the last.' }) nextCursor?: string;
}

@ObjectType('LifeEventNotification', {
  description: 'An alert to a team or user holding a case: something happened to a person they work with.',
})
export class LifeEventNotificationModel {
  @Field(() => ID) @NotPersonalData('the alert id') id: string;
  @Field(() => ID) @NotPersonalData('the event id, for its receipt') eventId: string;
  @Field(() => ID)
  @NotPersonalData('the hub id of a person on your caseload; open it with person(id)')
  personId: string;
  @Field({ nullable: true }) @ReleasedAs(LIFE_EVENT_FIELDS.type) type?: string;
  @Field({ nullable: true, description: 'YYYY-MM-DD.' }) @ReleasedAs(LIFE_EVENT_FIELDS.date) date?: string;
  @Field({ nullable: true, description: 'Who it happened to (the golden identity).' })
  @ReleasedAs('hub.identity.givenName')
  givenName?: string;
  @Field({ nullable: true }) @ReleasedAs('hub.identity.familyName') familyName?: string;
  @Field() @NotPersonalData('your own team') team: string;
  @Field() @NotPersonalData('when the alert was made') createdAt: Date;
  @Field({ nullable: true }) @NotPersonalData('when it was marked read') readAt?: Date;
}

@ObjectType('LifeEventSubscription', { description: 'A recipient told of one type of event.' })
export class LifeEventSubscriptionModel {
  @Field(() => ID) id: string;
  @Field(() => RecipientKindValue) recipientKind: string;
  @Field() recipient: string;
  @Field() organisation: string;
  @Field(() => LifeEventTypeValue) eventType: string;
  @Field({ nullable: true }) webhookUrl?: string;
  @Field() active: boolean;
  @Field() createdBy: string;
  @Field() createdAt: Date;
}

@InputType()
export class SubscribeToLifeEventsInput {
  @Field(() => RecipientKindValue) recipientKind: 'source' | 'partner';
  @Field({ description: 'A source id (housing, benefits, social-care) or a partner name.' }) recipient: string;
  @Field({ nullable: true, description: "The partner's organisation; a source is the council's." })
  organisation?: string;
  @Field(() => [LifeEventTypeValue]) eventTypes: LifeEventTypeValue[];
  @Field({ nullable: true, description: 'Partners only: where the hub posts (HTTPS).' }) webhookUrl?: string;
}
