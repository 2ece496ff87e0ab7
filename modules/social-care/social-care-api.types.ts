/**
 * The social care system's API shapes (a case management product): person-centred records, the name as
 * "SURNAME, Forenames", birth dates as dd-MMM-yyyy, case dates as yyyyMMdd, timestamps as
 * yyyyMMddHHmmssSSS (UTC), and keyset pages by last update (`updatedSince` + `afterId`).
 */
export interface CarePerson {
  personId: string;
  /** "MARTIN, Elizabeth Anne" */
  name: string;
  formerNames?: string[];
  /** "15-Oct-2012" */
  birthDate?: string | null;
  /** "02-Nov-2025", recorded when the system is told of the death. */
  deathDate?: string | null;
  gender?: 'Male' | 'Female' | 'Unknown' | 'Indeterminate' | null;
  nhsNo?: string | null;
  niNo?: string | null;
  /** Comma-separated, locality last: "Flat 3, Tennyson House, 12 Rye Lane, Peckham". */
  address?: { uprn?: string | null; addressText?: string | null; postcode?: string | null } | null;
  phone?: string | null;
  email?: string | null;
  family?: { familyId: string; relationship: 'Child' | 'Mother' | 'Father' | 'Carer' | 'Subject' } | null;
  lastUpdated: string;
  recordState: 'ACTIVE' | 'REMOVED';
}

export interface CareInvolvementRow {
  personId: string;
  caseId: string;
  caseType: 'ADULTS' | 'CHILDREN';
  allocatedTeam: string;
  /** yyyyMMdd */
  openDate: string;
  closeDate: string | null;
}

export interface CarePeoplePage {
  people: unknown[];
  count: number;
  moreAvailable: boolean;
}

export const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatCareTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:TZ.]/g, '');
}

export function parseCareTimestamp(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})$/.exec(value);
  return m ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7]}Z`) : Number.NaN;
}
