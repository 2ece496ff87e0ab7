import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Role } from '../engine/principal';
import {
  AgreementStatusValue,
  ConsentStatusValue,
  LawfulBasisValue,
  ObjectionKindValue,
  ObjectionReviewStatusValue,
  OrganisationKindValue,
  ReviewStatusValue,
  RoleValue,
  SubjectKindValue,
} from './graphql-enums';
import { AgreementStatus, LawfulBasis } from './policy/policy.types';

@ObjectType('Organisation', { description: 'The council or a partner agency; can be party to agreements.' })
export class OrganisationModel {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field(() => OrganisationKindValue) kind: string;
  @Field() createdAt: Date;
}

@ObjectType('Purpose', { description: 'A purpose code from the catalogue; every data request names one in x-purpose.' })
export class PurposeModel {
  @Field(() => ID) code: string;
  @Field() name: string;
  @Field() description: string;
  @Field() active: boolean;
}

@ObjectType('SpecialCategoryCondition', {
  description: 'UK GDPR Art. 9(2) condition and DPA 2018 Schedule 1 paragraph.',
})
export class SpecialCategoryConditionModel {
  @Field({ description: 'Letter of Art. 9(2), a-j.' }) article9: string;
  @Field(() => Int, { nullable: true }) schedule1Paragraph?: number;
}

@ObjectType('FieldRelease', {
  description: 'The fields an agreement releases for one purpose (source.category.field).',
})
export class FieldReleaseModel {
  @Field() purpose: string;
  @Field(() => [String]) fields: string[];
}

@ObjectType('DataSharingAgreement', { description: 'One immutable version of a data-sharing agreement.' })
export class AgreementModel {
  @Field(() => ID) id: string;
  @Field(() => Int) version: number;
  @Field() title: string;
  @Field(() => [String]) parties: string[];
  @Field(() => [String]) purposes: string[];
  @Field(() => LawfulBasisValue) lawfulBasis: LawfulBasis;
  @Field(() => SpecialCategoryConditionModel, { nullable: true })
  specialCategoryCondition?: SpecialCategoryConditionModel;
  @Field(() => [FieldReleaseModel]) releases: FieldReleaseModel[];
  @Field(() => [RoleValue]) roles: Role[];
  @Field() caseReferenceRequired: boolean;
  @Field(() => Int, {
    nullable: true,
    description: 'Persons a day one client is expected to be shown under it; past it the DPO is told.',
  })
  expectedDailyVolume?: number;
  @Field({ description: 'Whether a client past the expected daily volume is refused (not only reported).' })
  refuseAboveExpectedVolume: boolean;
  @Field() validFrom: Date;
  @Field({ nullable: true }) validTo?: Date;
  @Field({ description: 'YYYY-MM-DD' }) reviewDate: string;
  @Field(() => AgreementStatusValue) status: AgreementStatus;
  @Field({ nullable: true }) statusReason?: string;
  @Field({ nullable: true }) statusChangedBy?: string;
  @Field({ nullable: true }) statusChangedAt?: Date;
  @Field() createdBy: string;
  @Field() createdAt: Date;
}

@ObjectType('Consent', { description: 'A consent event for a person; the latest record covering a scope wins.' })
export class ConsentModel {
  @Field(() => ID) id: string;
  @Field() personId: string;
  @Field(() => ConsentStatusValue) status: string;
  @Field({ nullable: true, description: 'Absent: every purpose.' }) purpose?: string;
  @Field({ nullable: true, description: 'Absent: every recipient.' }) recipientOrganisation?: string;
  @Field({ nullable: true, description: 'Absent: every source.' }) source?: string;
  @Field() evidence: string;
  @Field() recordedBy: string;
  @Field() recordedAt: Date;
  @Field() validFrom: Date;
  @Field({ nullable: true }) validTo?: Date;
}

@ObjectType('Objection', {
  description: 'An objection (Art. 21) or restriction (Art. 18): stops processing in its scope.',
})
export class ObjectionModel {
  @Field(() => ID) id: string;
  @Field() personId: string;
  @Field(() => ObjectionKindValue, {
    description: 'What is in force: a restriction while a record made by staff awaits review.',
  })
  kind: string;
  @Field(() => ObjectionKindValue, { nullable: true, description: 'What the person asked for.' })
  requestedKind?: string;
  @Field({ nullable: true }) purpose?: string;
  @Field({ nullable: true }) recipientOrganisation?: string;
  @Field({ nullable: true }) source?: string;
  @Field() reason: string;
  @Field({ nullable: true, description: 'SYSTEM:REFERENCE of the letter, form or call note; absent on older records.' })
  evidence?: string;
  @Field() recordedBy: string;
  @Field() recordedAt: Date;
  @Field() validFrom: Date;
  @Field({ nullable: true }) liftedAt?: Date;
  @Field({ nullable: true }) liftedBy?: string;
  @Field({ nullable: true }) liftedReason?: string;
  @Field(() => ObjectionReviewStatusValue, {
    nullable: true,
    description: 'Absent when no review is needed (recorded by the DPO).',
  })
  reviewStatus?: string;
  @Field({ nullable: true }) reviewedBy?: string;
  @Field({ nullable: true }) reviewedAt?: Date;
  @Field({ nullable: true }) reviewNote?: string;
}

@ObjectType('CaseAssignment', { description: 'A case held by a team, or one user in it, for a person or household.' })
export class CaseAssignmentModel {
  @Field(() => ID) id: string;
  @Field(() => SubjectKindValue) subjectKind: string;
  @Field() subjectId: string;
  @Field({ description: 'The organisation whose team (or user) holds the case.' }) organisation: string;
  @Field() team: string;
  @Field({ nullable: true }) userSubject?: string;
  @Field() validFrom: Date;
  @Field({ nullable: true }) validTo?: Date;
  @Field() createdBy: string;
  @Field({ nullable: true }) endedBy?: string;
}

@ObjectType('BreakGlassGrant', { description: 'Time-boxed emergency access to one person, reviewed by the DPO.' })
export class BreakGlassModel {
  @Field(() => ID) id: string;
  @Field() granteeSubject: string;
  @Field() granteeOrganisation: string;
  @Field({ nullable: true }) granteeTeam?: string;
  @Field() personId: string;
  @Field() purpose: string;
  @Field({ nullable: true }) caseReference?: string;
  @Field() reason: string;
  @Field() grantedAt: Date;
  @Field() expiresAt: Date;
  @Field({ nullable: true }) revokedAt?: Date;
  @Field(() => ReviewStatusValue) reviewStatus: string;
  @Field({ nullable: true }) reviewedBy?: string;
  @Field({ nullable: true }) reviewedAt?: Date;
  @Field({ nullable: true }) reviewNote?: string;
}

@ObjectType('Principal', { description: 'Who the hub takes the caller to be, from the verified token.' })
export class PrincipalModel {
  @Field() subject: string;
  @Field() organisation: string;
  @Field(() => [RoleValue]) roles: Role[];
  @Field({ nullable: true }) team?: string;
  @Field({ nullable: true }) client?: string;
}
