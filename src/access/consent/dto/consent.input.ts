import { Field, InputType } from '@nestjs/graphql';
import { ConsentStatusValue, ObjectionKindValue } from '../../graphql-enums';

@InputType()
export class RecordConsentInput {
  @Field() personId: string;
  @Field(() => ConsentStatusValue) status: 'given' | 'refused' | 'withdrawn';
  @Field({ nullable: true, description: 'Purpose code; absent covers every purpose.' }) purpose?: string;
  @Field({ nullable: true, description: 'Organisation id; absent covers every recipient.' }) recipientOrganisation?: string;
  @Field({ nullable: true, description: 'Source id (housing, benefits, social-care, hub); absent covers every source.' }) source?: string;
  @Field({ description: 'Where and how: e.g. "signed form ref EH-123, scanned to the case file".' }) evidence: string;
  @Field({ nullable: true }) validFrom?: Date;
  @Field({ nullable: true }) validTo?: Date;
}

@InputType()
export class RecordObjectionInput {
  @Field() personId: string;
  @Field(() => ObjectionKindValue) kind: 'objection' | 'restriction';
  @Field({ nullable: true }) purpose?: string;
  @Field({ nullable: true }) recipientOrganisation?: string;
  @Field({ nullable: true }) source?: string;
  @Field({ description: 'The grounds the person gave, and how the request reached the council.' }) reason: string;
  @Field({ nullable: true }) validFrom?: Date;
}
