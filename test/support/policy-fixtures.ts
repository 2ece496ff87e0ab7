import { Principal, Role } from '../../src/engine/principal';
import { AgreementFact, AgreementStatus, LawfulBasis, PolicyFacts } from '../../src/access/policy/policy.types';

/** A small, fixed world for the policy decision point's unit tests (not loaded by the application). */
export const NOW = new Date('2025-06-01T12:00:00Z');
export const PAST = new Date('2025-01-01T00:00:00Z');
export const LONG_AGO = new Date('2020-01-01T00:00:00Z');
export const LATER = new Date('2026-01-01T00:00:00Z');
export const PERSON = '0b6f7d2e-1c1a-4a55-9d2b-0f3c1b2a0001';
export const OTHER_PERSON = '0b6f7d2e-1c1a-4a55-9d2b-0f3c1b2a0002';
export const HOUSEHOLD = '5c0ffee0-0000-4000-8000-000000000001';

export const F = {
  exists: 'hub.match.exists',
  team: 'hub.caseload.team',
  name: 'hub.identity.name',
  dob: 'hub.identity.dateOfBirth',
  rent: 'housing.tenancy.rentArrears',
  claim: 'benefits.claim.status',
  care: 'social-care.involvement.status',
} as const;
export const ALL_FIELDS = Object.values(F);

const principal = (subject: string, organisation: string, roles: Role[], team?: string): Principal => ({
  subject,
  organisation,
  roles,
  ...(team ? { team } : {}),
});

export const P = {
  amOn: principal('am-alice', 'council', [Role.AccountManager], 'early-help-north'),
  amOff: principal('am-bob', 'council', [Role.AccountManager], 'early-help-south'),
  amEnded: principal('am-old', 'council', [Role.AccountManager], 'early-help-west'),
  cwTeam: principal('cw-carol', 'council', [Role.Caseworker], 'housing-options'),
  cwNoTeam: principal('cw-erin', 'council', [Role.Caseworker]),
  /** A council caseworker in a team whose name a housing association's team also has (issue 14, finding 2). */
  cwSameTeamNameAsPartner: principal('cw-frank', 'council', [Role.Caseworker], 'tenancy-support'),
  /** A council user whose subject is the same text as a housing association user's holding a case. */
  amSameSubjectAsPartner: principal('ha-harriet', 'council', [Role.AccountManager], 'early-help-east'),
  cwOff: principal('cw-dan', 'council', [Role.Caseworker], 'adults'),
  nhs: principal('client-nhs-north', 'nhs-north', [Role.PartnerAgency]),
  charity: principal('client-advice', 'advice-charity', [Role.PartnerAgency]),
  police: principal('client-police', 'police-west', [Role.PartnerAgency]),
  steward: principal('ds-sam', 'council', [Role.DataSteward]),
  dpo: principal('dpo-dee', 'council', [Role.Dpo]),
  admin: principal('admin-ash', 'council', [Role.Admin]),
  noRole: principal('nobody', 'council', []),
  amSteward: principal('am-steward', 'council', [Role.AccountManager, Role.DataSteward], 'early-help-south'),
};

const agreement = (
  partial: Partial<AgreementFact> & Pick<AgreementFact, 'id' | 'purposes' | 'roles' | 'releases'>,
): AgreementFact => ({
  version: 1,
  title: partial.id,
  parties: ['council'],
  lawfulBasis: LawfulBasis.PublicTask,
  caseReferenceRequired: false,
  validFrom: LONG_AGO,
  status: AgreementStatus.Active,
  ...partial,
});

export const A = {
  earlyHelp: agreement({
    id: 'dsa-early-help',
    purposes: ['EARLY_HELP', 'HOUSING_NEED'],
    roles: [Role.AccountManager, Role.Caseworker],
    specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 },
    releases: { EARLY_HELP: [...ALL_FIELDS], HOUSING_NEED: [F.exists, F.team, F.name, F.rent] },
  }),
  safeguardingV1: agreement({
    id: 'dsa-nhs-safeguarding',
    status: AgreementStatus.Superseded,
    parties: ['council', 'nhs-north'],
    purposes: ['SAFEGUARDING'],
    roles: [Role.PartnerAgency, Role.Caseworker],
    caseReferenceRequired: true,
    specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 },
    releases: { SAFEGUARDING: [F.name] },
  }),
  safeguardingV2: agreement({
    id: 'dsa-nhs-safeguarding',
    version: 2,
    validFrom: PAST,
    parties: ['council', 'nhs-north'],
    purposes: ['SAFEGUARDING'],
    roles: [Role.PartnerAgency, Role.Caseworker],
    caseReferenceRequired: true,
    specialCategoryCondition: { article9: 'g', schedule1Paragraph: 18 },
    releases: { SAFEGUARDING: [F.name, F.dob, F.care, F.rent] },
  }),
  benefitsAdvice: agreement({
    id: 'dsa-benefits-advice',
    parties: ['council', 'advice-charity'],
    purposes: ['BENEFIT_ELIGIBILITY'],
    roles: [Role.PartnerAgency],
    lawfulBasis: LawfulBasis.Consent,
    releases: { BENEFIT_ELIGIBILITY: [F.name, F.claim, F.care] },
  }),
  dataQuality: agreement({
    id: 'dsa-data-quality',
    purposes: ['DATA_QUALITY'],
    roles: [Role.DataSteward],
    releases: { DATA_QUALITY: [F.exists, F.name, F.dob] },
  }),
  tellUsOnceSuspended: agreement({
    id: 'dsa-tell-us-once',
    status: AgreementStatus.Suspended,
    purposes: ['TELL_US_ONCE'],
    roles: [Role.AccountManager],
    lawfulBasis: LawfulBasis.LegalObligation,
    releases: { TELL_US_ONCE: [F.name, F.dob] },
  }),
  tellUsOnceExpired: agreement({
    id: 'dsa-tell-us-once-old',
    validTo: PAST,
    purposes: ['TELL_US_ONCE'],
    roles: [Role.Caseworker],
    releases: { TELL_US_ONCE: [F.name] },
  }),
};

/** The baseline world: the policy facts the matrix varies. */
export function baseFacts(): PolicyFacts {
  return {
    now: NOW,
    purposes: ['EARLY_HELP', 'SAFEGUARDING', 'HOUSING_NEED', 'BENEFIT_ELIGIBILITY', 'TELL_US_ONCE', 'DATA_QUALITY'],
    specialCategories: ['social-care'],
    agreements: Object.values(A),
    consents: [
      {
        id: 'consent-1',
        personId: PERSON,
        status: 'given',
        purpose: 'BENEFIT_ELIGIBILITY',
        recipientOrganisation: 'advice-charity',
        validFrom: PAST,
        recordedAt: PAST,
      },
    ],
    objections: [],
    assignments: [
      {
        id: 'asg-alice',
        subjectKind: 'person',
        subjectId: PERSON,
        organisation: 'council',
        team: 'early-help-north',
        userSubject: 'am-alice',
        validFrom: PAST,
      },
      {
        id: 'asg-household',
        subjectKind: 'household',
        subjectId: HOUSEHOLD,
        organisation: 'council',
        team: 'housing-options',
        validFrom: PAST,
      },
      {
        id: 'asg-ended',
        subjectKind: 'person',
        subjectId: PERSON,
        organisation: 'council',
        team: 'early-help-west',
        userSubject: 'am-old',
        validFrom: LONG_AGO,
        validTo: PAST,
      },
      // Cases a housing association's team and user hold: nothing to a council team or user of the same name.
      {
        id: 'asg-partner-team',
        subjectKind: 'person',
        subjectId: PERSON,
        organisation: 'housing-association',
        team: 'tenancy-support',
        validFrom: PAST,
      },
      {
        id: 'asg-partner-user',
        subjectKind: 'person',
        subjectId: PERSON,
        organisation: 'housing-association',
        team: 'tenancy-support',
        userSubject: 'ha-harriet',
        validFrom: PAST,
      },
      {
        id: 'asg-other',
        subjectKind: 'person',
        subjectId: OTHER_PERSON,
        organisation: 'council',
        team: 'early-help-south',
        userSubject: 'am-bob',
        validFrom: PAST,
      },
    ],
    breakGlassGrants: [
      {
        id: 'bg-valid',
        granteeSubject: 'am-bob',
        granteeOrganisation: 'council',
        personId: PERSON,
        purpose: 'EARLY_HELP',
        grantedAt: new Date('2025-06-01T11:30:00Z'),
        expiresAt: new Date('2025-06-01T13:30:00Z'),
      },
      {
        id: 'bg-expired',
        granteeSubject: 'am-bob',
        granteeOrganisation: 'council',
        personId: PERSON,
        purpose: 'EARLY_HELP',
        grantedAt: new Date('2025-06-01T08:00:00Z'),
        expiresAt: new Date('2025-06-01T10:00:00Z'),
      },
      {
        id: 'bg-other-person',
        granteeSubject: 'am-bob',
        granteeOrganisation: 'council',
        personId: OTHER_PERSON,
        purpose: 'EARLY_HELP',
        grantedAt: new Date('2025-06-01T11:30:00Z'),
        expiresAt: new Date('2025-06-01T13:30:00Z'),
      },
      {
        id: 'bg-other-purpose',
        granteeSubject: 'am-bob',
        granteeOrganisation: 'council',
        personId: PERSON,
        purpose: 'HOUSING_NEED',
        grantedAt: new Date('2025-06-01T11:30:00Z'),
        expiresAt: new Date('2025-06-01T13:30:00Z'),
      },
      {
        id: 'bg-revoked',
        granteeSubject: 'am-bob',
        granteeOrganisation: 'council',
        personId: PERSON,
        purpose: 'EARLY_HELP',
        grantedAt: new Date('2025-06-01T11:30:00Z'),
        expiresAt: new Date('2025-06-01T13:30:00Z'),
        revokedAt: new Date('2025-06-01T11:45:00Z'),
      },
      {
        id: 'bg-dan',
        granteeSubject: 'cw-dan',
        granteeOrganisation: 'council',
        personId: PERSON,
        purpose: 'EARLY_HELP',
        grantedAt: new Date('2025-06-01T11:30:00Z'),
        expiresAt: new Date('2025-06-01T13:30:00Z'),
      },
    ],
    households: [{ personId: PERSON, householdId: HOUSEHOLD, from: LONG_AGO }],
  };
}
