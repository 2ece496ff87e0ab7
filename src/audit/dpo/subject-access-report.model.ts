import { Field, ObjectType } from '@nestjs/graphql';
import { AuditEventModel } from './audit-event.model';

@ObjectType('SubjectAccessSourceRecord', {
  description: 'A record a source system holds about the person, as the hub’s identity index has it.',
})
export class SourceRecordEntryModel {
  @Field() source: string;
  @Field() sourceKey: string;
  @Field({ description: 'Every field of the record, as JSON text.' }) record: string;
}

@ObjectType('SubjectAccessReport', {
  description: 'Everything the hub holds about one person and every disclosure of them.',
})
export class SubjectAccessReportModel {
  @Field() personId: string;
  @Field(() => [String], {
    description: 'Every id searched: this one, the person it was merged into, and every id merged into that person.',
  })
  personIds: string[];
  @Field() generatedAt: Date;
  @Field(() => Date, { nullable: true }) receivedOn: Date | null;
  @Field(() => Date, { nullable: true, description: 'One calendar month after the request was received.' })
  dueBy: Date | null;
  @Field({ description: 'False when this hub has no identity index to search.' }) sourceRecordsSearched: boolean;
  @Field(() => [SourceRecordEntryModel]) sourceRecords: SourceRecordEntryModel[];
  @Field(() => [AuditEventModel], { description: 'Every release of data about the person, oldest first.' })
  disclosures: AuditEventModel[];
  @Field(() => [AuditEventModel], {
    description: 'Other recorded processing: consent, objections, merges, break-glass, refusals.',
  })
  otherEvents: AuditEventModel[];
}
