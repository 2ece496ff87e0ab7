import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('VolumeAnomaly', { description: 'A user who saw far more people than the peers in their organisation.' })
export class VolumeAnomalyModel {
  @Field() subject: string;
  @Field() organisation: string;
  @Field(() => Int) events: number;
  @Field(() => Int, { description: 'Distinct persons seen in the window.' }) persons: number;
  @Field(() => Float) peerMedian: number;
  @Field(() => Int) peers: number;
  @Field(() => Float, { description: 'Modified z-score (median absolute deviation); above the threshold is reported.' })
  robustZ: number;
}

@ObjectType('CaseloadAnomaly', {
  description: 'Disclosures to a user with no case relationship behind them (break-glass or consent alone).',
})
export class CaseloadAnomalyModel {
  @Field() subject: string;
  @Field() organisation: string;
  @Field(() => Int) events: number;
  @Field(() => Int) persons: number;
  @Field(() => Int) breakGlassEvents: number;
}

@ObjectType('OutOfHoursAnomaly', { description: 'A user who saw many people outside office hours on one day.' })
export class OutOfHoursAnomalyModel {
  @Field() subject: string;
  @Field() organisation: string;
  @Field({ description: 'Local day (AUDIT_TIMEZONE), yyyy-mm-dd.' }) day: string;
  @Field(() => Int) events: number;
  @Field(() => Int) persons: number;
}

@ObjectType('CaseReferenceAnomaly', {
  description:
    'A case reference of an organisation covering more persons than CASE_REFERENCE_MAX_PERSONS in the window.',
})
export class CaseReferenceAnomalyModel {
  @Field() organisation: string;
  @Field() caseReference: string;
  @Field(() => Int, { description: 'Distinct persons disclosed under it.' }) persons: number;
  @Field(() => Int, { description: 'Users or clients shown persons under it.' }) subjects: number;
}

@ObjectType('FlaggedLimitAnomaly', {
  description: 'Disclosures a harvesting limit refused or flagged, per client and kind.',
})
export class FlaggedLimitAnomalyModel {
  @Field({ description: 'representations, persons, expected-volume or case-reference.' }) kind: string;
  @Field() subject: string;
  @Field() organisation: string;
  @Field({ nullable: true }) caseReference?: string;
  @Field({ nullable: true }) agreementId?: string;
  @Field(() => Int, { description: 'Refusals or flags, those counted in aggregate events included.' }) count: number;
  @Field() first: Date;
  @Field() last: Date;
}

@ObjectType('AuditAnomalyReport')
export class AnomalyReportModel {
  @Field() from: Date;
  @Field() to: Date;
  @Field(() => Float) zThreshold: number;
  @Field(() => Int) minPersons: number;
  @Field(() => Int) bulkThreshold: number;
  @Field() timezone: string;
  @Field(() => [VolumeAnomalyModel]) volume: VolumeAnomalyModel[];
  @Field(() => [CaseloadAnomalyModel]) outsideCaseload: CaseloadAnomalyModel[];
  @Field(() => [OutOfHoursAnomalyModel]) outOfHours: OutOfHoursAnomalyModel[];
  @Field(() => Int, { description: 'CASE_REFERENCE_MAX_PERSONS: above it a case reference is listed.' })
  caseReferenceMaxPersons: number;
  @Field(() => [CaseReferenceAnomalyModel]) broadCaseReferences: CaseReferenceAnomalyModel[];
  @Field(() => [FlaggedLimitAnomalyModel]) flagged: FlaggedLimitAnomalyModel[];
}
