import { IdentityFields } from '../../src/sources/identity-fields';
import {
  FieldIssue,
  HouseholdHint,
  RejectedRecord,
  ServiceRecord,
  SourceIdentityRecord,
} from '../../src/sources/source-adapter';
import { HousingApplicationDetail, HousingTenancyDetail, parseHousingTimestamp } from './housing-api.types';

/** Surname particles that belong to the family name in a single name string ("Van Der Berg"). */
const particles = new Set([
  'van',
  'der',
  'den',
  'de',
  'da',
  'di',
  'du',
  'le',
  'la',
  'von',
  'al',
  'el',
  'bin',
  'ben',
  'ap',
]);
const generation = /^(snr|sr|jnr|jr|senior|junior)\.?$/i;
const roleNames: Record<string, string> = {
  'Lead Tenant': 'tenant',
  'Joint Tenant': 'joint-tenant',
  'Household Member': 'occupant',
  Lodger: 'lodger',
  Applicant: 'applicant',
  'Applicant Household': 'household-member',
};

type Raw = Record<string, unknown>;

/** One housing tenant record → the hub's identity record, or the reason it cannot be one. */
export function mapHousingTenant(raw: unknown): SourceIdentityRecord | RejectedRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { code: 'invalid-record', reason: 'record is not an object', raw };
  const r = raw as Raw;
  const key = text(r.tenant_ref);
  if (!key) return { code: 'missing-key', reason: 'tenant_ref: missing', raw };
  const updatedAt = isoTimestamp(r.last_modified);
  if (r.record_status === 'Deleted')
    return { sourceKey: key, identity: {}, householdHints: [], deleted: true, updatedAt };

  const issues: FieldIssue[] = [];
  const identity: IdentityFields = { ...splitFullName(text(r.full_name)) };
  const previous = text(r.previous_surname);
  if (previous) identity.previousFamilyNames = [previous];
  const dob = ukDate(r.dob, 'dateOfBirth', issues);
  if (dob) identity.dateOfBirth = dob;
  if (r.gender === 'Female') identity.sex = 'F';
  else if (r.gender === 'Male') identity.sex = 'M';
  else if (r.gender === 'Not Known') identity.sex = 'X';
  assign(identity, 'nino', text(r.ni_number));
  assign(identity, 'nhsNumber', text(r.nhs_no)?.replace(/\s+/g, ''));
  const property = (r.property && typeof r.property === 'object' ? r.property : {}) as Raw;
  assign(identity, 'uprn', text(property.uprn));
  const lines = [property.address1, property.address2, property.address3].map(text).filter((l): l is string => !!l);
  if (lines.length) identity.addressLines = lines;
  assign(identity, 'locality', text(property.town));
  assign(identity, 'postcode', text(property.post_code)?.toUpperCase());
  assign(identity, 'phone', text(r.tel));
  assign(identity, 'email', text(r.email)?.toLowerCase());

  const hints: HouseholdHint[] = [];
  const role = roleNames[String(r.tenancy_role)] ?? text(r.tenancy_role)?.toLowerCase();
  const from = ukDate(r.tenancy_start, 'householdHints.from', issues);
  const to = ukDate(r.tenancy_end, 'householdHints.to', issues);
  const uprn = identity.uprn;
  const tenancy = text(r.tenancy_ref);
  const application = text(r.application_ref);
  if (tenancy) hints.push(strip({ groupKey: tenancy, kind: 'tenancy', role, uprn, from, to }));
  if (application) hints.push(strip({ groupKey: application, kind: 'housing-application', role, uprn, from }));
  return { sourceKey: key, identity, householdHints: hints, updatedAt, ...(issues.length ? { issues } : {}) };
}

/** "Freya Chidinma Ali" → given, middle, family; particles stay with the family name; Jnr/Snr dropped. */
export function splitFullName(
  full: string | undefined,
): Pick<IdentityFields, 'givenName' | 'middleNames' | 'familyName'> {
  const words = (full ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .filter((w) => !generation.test(w));
  if (words.length === 0) return {};
  if (words.length === 1) return { familyName: words[0] };
  let start = words.length - 1;
  while (start > 1 && particles.has(words[start - 1].toLowerCase())) start -= 1;
  const middle = words.slice(1, start).join(' ');
  return { givenName: words[0], ...(middle ? { middleNames: middle } : {}), familyName: words.slice(start).join(' ') };
}

/** dd/MM/yyyy → yyyy-mm-dd; a value that is not a real date is reported and left out. */
export function ukDate(value: unknown, field: string, issues: FieldIssue[]): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  const match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(raw);
  const iso = match ? `${match[3]}-${match[2].padStart(2, '0')}-${match[1].padStart(2, '0')}` : undefined;
  if (iso && isRealDate(iso)) return iso;
  issues.push({
    field,
    code: 'malformed-date',
    reason: `${field}: ${JSON.stringify(raw)} is not a dd/MM/yyyy date`,
    value: raw,
  });
  return undefined;
}

export function tenancyRecord(t: HousingTenancyDetail): ServiceRecord {
  return {
    category: 'tenancy',
    recordId: t.tenancy_ref,
    fields: {
      tenancyRef: t.tenancy_ref,
      role: roleNames[t.tenancy_role] ?? t.tenancy_role,
      tenure: t.tenure,
      startDate: ukDate(t.tenancy_start, 'startDate', []) ?? null,
      endDate: ukDate(t.tenancy_end, 'endDate', []) ?? null,
      rentAccountStatus: t.rent_account_status,
      uprn: t.uprn,
    },
  };
}

export function applicationRecord(a: HousingApplicationDetail): ServiceRecord {
  return {
    category: 'homelessness-application',
    recordId: a.application_ref,
    fields: {
      applicationRef: a.application_ref,
      role: roleNames[a.tenancy_role] ?? a.tenancy_role,
      status: a.application_status,
      applicationDate: ukDate(a.application_date, 'applicationDate', []) ?? null,
    },
  };
}

function isRealDate(iso: string): boolean {
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso;
}

function isoTimestamp(value: unknown): string | undefined {
  const ms = typeof value === 'string' ? parseHousingTimestamp(value) : Number.NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

function text(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

function assign<K extends keyof IdentityFields>(
  target: IdentityFields,
  key: K,
  value: IdentityFields[K] | undefined,
): void {
  if (value !== undefined && value !== '') target[key] = value;
}

function strip(hint: HouseholdHint): HouseholdHint {
  return Object.fromEntries(Object.entries(hint).filter(([, v]) => v !== undefined)) as unknown as HouseholdHint;
}
