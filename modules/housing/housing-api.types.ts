/**
 * The housing system's API shapes (a tenancy management product): one record per person on a tenancy or a
 * homelessness application, names as one string, dates as dd/MM/yyyy, page-numbered lists.
 */
export interface HousingTenant {
  tenant_ref: string;
  title?: string | null;
  /** Forenames then surname, e.g. "Freya Chidinma Ali". */
  full_name: string;
  previous_surname?: string | null;
  /** dd/MM/yyyy */
  dob?: string | null;
  gender?: 'Male' | 'Female' | 'Not Known' | null;
  ni_number?: string | null;
  nhs_no?: string | null;
  property: HousingProperty;
  tel?: string | null;
  email?: string | null;
  tenancy_ref?: string | null;
  application_ref?: string | null;
  tenancy_role: 'Lead Tenant' | 'Joint Tenant' | 'Household Member' | 'Lodger' | 'Applicant' | 'Applicant Household';
  tenure?: 'Secure' | 'Introductory' | 'Temporary' | null;
  /** dd/MM/yyyy */
  tenancy_start?: string | null;
  tenancy_end?: string | null;
  rent_account_status?: 'Clear' | 'In Credit' | 'Arrears' | 'Closed' | null;
  application_status?: string | null;
  /** dd/MM/yyyy HH:mm:ss (UTC) */
  last_modified: string;
  record_status: 'Current' | 'Deleted';
}

export interface HousingProperty {
  uprn?: string | null;
  address1?: string | null;
  address2?: string | null;
  address3?: string | null;
  town?: string | null;
  post_code?: string | null;
}

export interface HousingTenantPage {
  page: number;
  pageSize: number;
  totalPages: number;
  totalRecords: number;
  /** Server time of this answer, dd/MM/yyyy HH:mm:ss: the point to ask for changes from next time. */
  extractedAt: string;
  tenants: unknown[];
}

export interface HousingDetailsResponse {
  results: { tenantRef: string; tenancies: HousingTenancyDetail[]; applications: HousingApplicationDetail[] }[];
}

export interface HousingTenancyDetail {
  tenancy_ref: string;
  tenancy_role: string;
  tenure: string | null;
  tenancy_start: string | null;
  tenancy_end: string | null;
  rent_account_status: string | null;
  uprn: string | null;
}

export interface HousingApplicationDetail {
  application_ref: string;
  tenancy_role: string;
  application_status: string | null;
  application_date: string | null;
}

/** dd/MM/yyyy HH:mm:ss in UTC. */
export function formatHousingTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** Milliseconds for a dd/MM/yyyy HH:mm:ss timestamp, or NaN. */
export function parseHousingTimestamp(value: string): number {
  const match = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (!match) return Number.NaN;
  const [, dd, mm, yyyy, hh, mi, ss] = match;
  return Date.parse(`${yyyy}-${mm}-${dd}T${hh}:${mi}:${ss}Z`);
}
