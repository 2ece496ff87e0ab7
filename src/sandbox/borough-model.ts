/**
 * The neutral model of a synthetic borough, made by the borough generator. Each sandbox source system turns
 * its part (`housing`, `benefits`, `socialCare`) into its own storage shape; the ground truth (who is who,
 * who lives together) comes from `people` and `households`. Shared types: `modules/*` import this file.
 */
export interface Borough {
  seed: string;
  householdCount: number;
  /** The day the borough is "as at" (ISO date): ages, open cases and recent events are relative to it. */
  referenceDate: string;
  addresses: BoroughAddress[];
  people: BoroughPerson[];
  households: BoroughHousehold[];
  housing: HousingView[];
  benefits: BenefitsView[];
  socialCare: CareView[];
}

export interface BoroughAddress {
  id: string;
  uprn: string;
  lines: string[];
  locality: string;
  postcode: string;
}

export type Sex = 'F' | 'M';

/** A real (synthetic) person: the truth the sources record, more or less well. */
export interface BoroughPerson {
  id: string;
  givenName: string;
  middleNames?: string;
  familyName: string;
  /** Family name at birth, when it changed (marriage). */
  birthFamilyName?: string;
  suffix?: 'Sr' | 'Jr';
  sex: Sex;
  dateOfBirth: string;
  dateOfDeath?: string;
  nino?: string;
  nhsNumber: string;
  phone?: string;
  email?: string;
}

export type HouseholdKind =
  | 'single'
  | 'couple'
  | 'family'
  | 'single-parent'
  | 'older-couple'
  | 'house-share'
  | 'multi-generation'
  | 'family-with-lodger';

export interface BoroughHousehold {
  id: string;
  kind: HouseholdKind;
  addressId: string;
  /** Where the household lived before, when it moved within the borough. */
  previousAddressId?: string;
  movedIn: string;
  members: HouseholdMember[];
}

export interface HouseholdMember {
  personId: string;
  role: 'adult' | 'partner' | 'child' | 'lodger' | 'sharer' | 'parent';
  from?: string;
  to?: string;
}

/** A person as one source recorded them: values may be stale, misspelt or missing. */
export interface RecordedIdentity {
  personId: string;
  title?: string;
  givenName: string;
  middleNames?: string;
  familyName: string;
  previousFamilyNames?: string[];
  /** ISO date as recorded (possibly with day and month swapped or the year mistyped); absent when unknown. */
  dateOfBirth?: string;
  sex?: Sex;
  /** As recorded, possibly mistyped, with spaces or lower case, or with an invalid prefix. */
  nino?: string;
  nhsNumber?: string;
  /** The address the source holds (possibly an old one). */
  addressId: string;
  phone?: string;
  email?: string;
}

export interface HousingView extends RecordedIdentity {
  tenantRef: string;
  kind: 'tenancy' | 'application';
  /** Tenancy reference or homelessness application reference shared by the household. */
  groupRef: string;
  role: 'lead-tenant' | 'joint-tenant' | 'household-member' | 'lodger' | 'applicant' | 'applicant-member';
  tenure?: 'secure' | 'introductory' | 'temporary';
  start: string;
  end?: string;
  rentAccountStatus?: 'clear' | 'in-credit' | 'arrears' | 'closed';
  applicationStatus?: 'open' | 'prevention' | 'relief' | 'main-duty' | 'closed';
  updatedAt: string;
}

export interface BenefitsView extends RecordedIdentity {
  claimRef: string;
  partyId: string;
  role: 'claimant' | 'partner' | 'dependant' | 'non-dependant';
  schemes: ('HB' | 'CTR')[];
  status: 'live' | 'suspended' | 'ended';
  awardStart: string;
  awardEnd?: string;
  weeklyHousingBenefit?: number;
  weeklyCouncilTaxReduction?: number;
  updatedAt: string;
}

export interface CareView extends RecordedIdentity {
  carePersonId: string;
  familyId?: string;
  relationship?: 'child' | 'mother' | 'father' | 'carer' | 'subject';
  involvements: CareInvolvement[];
  updatedAt: string;
}

export interface CareInvolvement {
  caseId: string;
  caseType: 'adults' | 'children';
  team: string;
  opened: string;
  closed?: string;
}

/** Which source records are one person, and who lives together: written beside the borough. */
export interface GroundTruth {
  seed: string;
  householdCount: number;
  referenceDate: string;
  records: { source: string; sourceKey: string; personId: string; householdId?: string }[];
  households: { householdId: string; kind: HouseholdKind; uprn: string; members: string[] }[];
}
