/**
 * The benefits system's API shapes (a revenues and benefits product): one "party" per person on a Housing
 * Benefit / Council Tax Reduction claim, names in separate fields, ISO dates, an opaque-cursor change feed.
 */
export interface BenefitsParty {
  partyId: string;
  claimReference: string;
  partyRole?: 'CLMT' | 'PTNR' | 'DEP' | 'NDEP';
  person?: {
    forename?: string | null;
    otherForenames?: string | null;
    surname?: string | null;
    formerSurnames?: string[];
    /** yyyy-mm-dd */
    dateOfBirth?: string | null;
    sex?: 'F' | 'M' | 'U' | null;
    nino?: string | null;
    /** yyyy-mm-dd, recorded when the system is told of the death. */
    dateOfDeath?: string | null;
    contact?: { phone?: string | null; email?: string | null };
  };
  claimAddress?: { uprn?: string | null; lines?: string[]; town?: string | null; postcode?: string | null };
  awardStartDate?: string | null;
  awardEndDate?: string | null;
  /** Position in the change feed; increases with every change. */
  changeSeq: number;
  lastChanged: string;
  deleted?: boolean;
}

export interface BenefitsClaim {
  claimReference: string;
  schemes: ('HB' | 'CTR')[];
  status: 'LIVE' | 'SUSPENDED' | 'ENDED';
  awardStartDate: string;
  awardEndDate: string | null;
  weeklyHousingBenefit: number | null;
  weeklyCouncilTaxReduction: number | null;
}

export interface BenefitsPartyPage {
  data: unknown[];
  next_cursor: string;
  has_more: boolean;
}

export const roleNames: Record<string, string> = {
  CLMT: 'claimant',
  PTNR: 'partner',
  DEP: 'dependant',
  NDEP: 'non-dependant',
};
