import type { Principal, Role } from '../../engine/principal';
import type { AccessContext, Decision, FieldRef, PolicySubject } from '../../engine/policy/decision';

// The decision's own types belong to the engine, which enforces them on every request; re-exported here
// for the decision point's code.
export type {
  AccessContext,
  Decision,
  DerivedSource,
  Effect,
  FieldRef,
  PolicySubject,
  WithheldField,
} from '../../engine/policy/decision';

/** UK GDPR Art. 6(1) lawful bases, (a) to (f). */
export enum LawfulBasis {
  Consent = 'CONSENT',
  Contract = 'CONTRACT',
  LegalObligation = 'LEGAL_OBLIGATION',
  VitalInterests = 'VITAL_INTERESTS',
  PublicTask = 'PUBLIC_TASK',
  LegitimateInterests = 'LEGITIMATE_INTERESTS',
}

export const lawfulBasisArticle: Record<LawfulBasis, string> = {
  [LawfulBasis.Consent]: 'UK GDPR Art. 6(1)(a) consent',
  [LawfulBasis.Contract]: 'UK GDPR Art. 6(1)(b) contract',
  [LawfulBasis.LegalObligation]: 'UK GDPR Art. 6(1)(c) legal obligation',
  [LawfulBasis.VitalInterests]: 'UK GDPR Art. 6(1)(d) vital interests',
  [LawfulBasis.PublicTask]: 'UK GDPR Art. 6(1)(e) public task',
  [LawfulBasis.LegitimateInterests]: 'UK GDPR Art. 6(1)(f) legitimate interests',
};

/** The Art. 9(2) condition (letter a–j) and, where it needs one, the DPA 2018 Schedule 1 paragraph. */
export interface SpecialCategoryCondition {
  article9: string;
  schedule1Paragraph?: number;
}

export enum AgreementStatus {
  Draft = 'draft',
  Active = 'active',
  Suspended = 'suspended',
  Expired = 'expired',
  /** A later version of the same agreement was activated. */
  Superseded = 'superseded',
}

/** One version of a data-sharing agreement, as the policy decision point sees it. */
export interface AgreementFact {
  id: string;
  version: number;
  title: string;
  parties: string[];
  purposes: string[];
  lawfulBasis: LawfulBasis;
  specialCategoryCondition?: SpecialCategoryCondition;
  /** Purpose code → the fields released for it. */
  releases: Record<string, FieldRef[]>;
  roles: Role[];
  caseReferenceRequired: boolean;
  /** Persons a day one client is expected to be shown under this agreement (see access/disclosure). */
  expectedDailyVolume?: number;
  /** Past the expected volume a client is refused, not only reported. */
  refuseAboveExpectedVolume?: boolean;
  validFrom: Date;
  validTo?: Date;
  status: AgreementStatus;
}

/** Who or what a consent or objection covers; an absent part covers everything. */
export interface Scope {
  purpose?: string;
  recipientOrganisation?: string;
  source?: string;
}

export type ConsentStatus = 'given' | 'refused' | 'withdrawn';

export interface ConsentFact extends Scope {
  id: string;
  personId: string;
  status: ConsentStatus;
  validFrom: Date;
  validTo?: Date;
  recordedAt: Date;
}

export type ObjectionKind = 'objection' | 'restriction';

export interface ObjectionFact extends Scope {
  id: string;
  personId: string;
  /** `objection` is Art. 21, `restriction` Art. 18. */
  kind: ObjectionKind;
  validFrom: Date;
  liftedAt?: Date;
}

export interface CaseAssignmentFact {
  id: string;
  subjectKind: 'person' | 'household';
  subjectId: string;
  /** The organisation whose team holds the case: a team name alone means nothing across organisations. */
  organisation: string;
  /** The team holding the case. */
  team: string;
  /** When set, the case is assigned to this one user (token `sub`), not the whole team. */
  userSubject?: string;
  validFrom: Date;
  validTo?: Date;
}

export interface BreakGlassFact {
  id: string;
  granteeSubject: string;
  granteeOrganisation: string;
  personId: string;
  purpose: string;
  grantedAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
}

export interface HouseholdMembershipFact {
  personId: string;
  householdId: string;
  from?: Date;
  to?: Date;
}

/** Everything a decision depends on, loaded beforehand so that `decide` is a pure function. */
export interface PolicyFacts {
  now: Date;
  /** Active purpose codes in the catalogue. */
  purposes: readonly string[];
  /** Sources, or `source.category` pairs, that hold special-category data (UK GDPR Art. 9). */
  specialCategories: readonly string[];
  agreements: readonly AgreementFact[];
  consents: readonly ConsentFact[];
  objections: readonly ObjectionFact[];
  assignments: readonly CaseAssignmentFact[];
  breakGlassGrants: readonly BreakGlassFact[];
  households: readonly HouseholdMembershipFact[];
}

export type DecideFn = (
  principal: Principal,
  context: AccessContext,
  subject: PolicySubject,
  requestedFields: readonly FieldRef[],
  facts: PolicyFacts,
) => Decision;
