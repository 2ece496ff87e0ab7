import { registerEnumType } from '@nestjs/graphql';

// GraphQL enums are UPPER_CASE; their values are the domain's own strings, so they pass straight through
// to Role, LawfulBasis and AgreementStatus.
export enum RoleValue {
  ACCOUNT_MANAGER = 'account-manager',
  CASEWORKER = 'caseworker',
  PARTNER_AGENCY = 'partner-agency',
  DATA_STEWARD = 'data-steward',
  DPO = 'dpo',
  ADMIN = 'admin',
  REGISTRAR = 'registrar',
}
export enum LawfulBasisValue {
  CONSENT = 'CONSENT',
  CONTRACT = 'CONTRACT',
  LEGAL_OBLIGATION = 'LEGAL_OBLIGATION',
  VITAL_INTERESTS = 'VITAL_INTERESTS',
  PUBLIC_TASK = 'PUBLIC_TASK',
  LEGITIMATE_INTERESTS = 'LEGITIMATE_INTERESTS',
}
export enum AgreementStatusValue {
  DRAFT = 'draft',
  ACTIVE = 'active',
  SUSPENDED = 'suspended',
  EXPIRED = 'expired',
  SUPERSEDED = 'superseded',
}

export enum ConsentStatusValue {
  GIVEN = 'given',
  REFUSED = 'refused',
  WITHDRAWN = 'withdrawn',
}
export enum ObjectionKindValue {
  OBJECTION = 'objection',
  RESTRICTION = 'restriction',
}
export enum ObjectionReviewOutcomeValue {
  CONFIRMED = 'confirmed',
  DISMISSED = 'dismissed',
}
export enum ObjectionReviewStatusValue {
  PENDING = 'pending',
  CONFIRMED = 'confirmed',
  DISMISSED = 'dismissed',
}
export enum SubjectKindValue {
  PERSON = 'person',
  HOUSEHOLD = 'household',
}
export enum ReviewOutcomeValue {
  JUSTIFIED = 'justified',
  NOT_JUSTIFIED = 'not-justified',
}
export enum ReviewStatusValue {
  PENDING = 'pending',
  JUSTIFIED = 'justified',
  NOT_JUSTIFIED = 'not-justified',
}
export enum OrganisationKindValue {
  COUNCIL = 'council',
  NHS = 'nhs',
  POLICE = 'police',
  HOUSING_ASSOCIATION = 'housing-association',
  VOLUNTARY = 'voluntary',
  OTHER = 'other',
}

registerEnumType(RoleValue, { name: 'Role', description: 'A hub role, as carried in the token claim `roles`.' });
registerEnumType(LawfulBasisValue, {
  name: 'LawfulBasis',
  description: 'UK GDPR Art. 6(1): (a) consent … (f) legitimate interests.',
});
registerEnumType(AgreementStatusValue, { name: 'AgreementStatus' });
registerEnumType(ConsentStatusValue, { name: 'ConsentStatus' });
registerEnumType(ObjectionKindValue, {
  name: 'ObjectionKind',
  description: 'objection: UK GDPR Art. 21; restriction: Art. 18.',
});
registerEnumType(ObjectionReviewOutcomeValue, {
  name: 'ObjectionReviewOutcome',
  description: 'confirmed: in force as asked; dismissed: lifted.',
});
registerEnumType(ObjectionReviewStatusValue, {
  name: 'ObjectionReviewStatus',
  description: 'pending: recorded by staff, a restriction until the DPO reviews it.',
});
registerEnumType(SubjectKindValue, { name: 'CaseSubjectKind' });
registerEnumType(ReviewOutcomeValue, { name: 'BreakGlassReviewOutcome' });
registerEnumType(ReviewStatusValue, { name: 'BreakGlassReviewStatus' });
registerEnumType(OrganisationKindValue, { name: 'OrganisationKind' });
