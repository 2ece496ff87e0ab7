import { IdentityFields } from '../../src/sources/identity-fields';
import {
  FieldIssue,
  HouseholdHint,
  RejectedRecord,
  ServiceRecord,
  SourceIdentityRecord,
} from '../../src/sources/source-adapter';
import { CareInvolvementRow, months, parseCareTimestamp } from './social-care-api.types';

type Raw = Record<string, unknown>;

/** One social care person → the hub's identity record, or the reason it cannot be one. */
export function mapCarePerson(raw: unknown): SourceIdentityRecord | RejectedRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { code: 'invalid-record', reason: 'record is not an object', raw };
  const r = raw as Raw;
  const key = text(r.personId);
  if (!key) return { code: 'missing-key', reason: 'personId: missing', raw };
  const stamp = typeof r.lastUpdated === 'string' ? parseCareTimestamp(r.lastUpdated) : Number.NaN;
  const updatedAt = Number.isNaN(stamp) ? undefined : new Date(stamp).toISOString();
  if (r.recordState === 'REMOVED')
    return { sourceKey: key, identity: {}, householdHints: [], deleted: true, updatedAt };

  const issues: FieldIssue[] = [];
  const identity: IdentityFields = { ...splitCareName(text(r.name)) };
  const former = Array.isArray(r.formerNames)
    ? r.formerNames
        .map(text)
        .filter((n): n is string => !!n)
        .map(titleCase)
    : [];
  if (former.length) identity.previousFamilyNames = former;
  const dob = careBirthDate(r.birthDate, issues);
  if (dob) identity.dateOfBirth = dob;
  if (r.gender === 'Female') identity.sex = 'F';
  else if (r.gender === 'Male') identity.sex = 'M';
  else if (r.gender === 'Unknown' || r.gender === 'Indeterminate') identity.sex = 'X';
  assign(identity, 'nhsNumber', text(r.nhsNo)?.replace(/[\s-]+/g, ''));
  assign(identity, 'nino', text(r.niNo));
  const address = r.address && typeof r.address === 'object' ? (r.address as Raw) : {};
  assign(identity, 'uprn', text(address.uprn));
  const parts = (text(address.addressText) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > 1) {
    identity.addressLines = parts.slice(0, -1);
    identity.locality = parts[parts.length - 1];
  } else if (parts.length === 1) identity.addressLines = parts;
  assign(identity, 'postcode', text(address.postcode)?.toUpperCase());
  assign(identity, 'phone', text(r.phone));
  assign(identity, 'email', text(r.email)?.toLowerCase());

  const hints: HouseholdHint[] = [];
  const family = r.family && typeof r.family === 'object' ? (r.family as Raw) : undefined;
  const familyId = text(family?.familyId);
  if (familyId) {
    const hint: HouseholdHint = { groupKey: familyId, kind: 'care-family' };
    const relationship = text(family?.relationship)?.toLowerCase();
    if (relationship) hint.role = relationship === 'mother' || relationship === 'father' ? 'parent' : relationship;
    if (identity.uprn) hint.uprn = identity.uprn;
    hints.push(hint);
  }
  return { sourceKey: key, identity, householdHints: hints, updatedAt, ...(issues.length ? { issues } : {}) };
}

/** "MARTIN, Elizabeth Anne" → family Martin, given Elizabeth, middle Anne. */
export function splitCareName(
  name: string | undefined,
): Pick<IdentityFields, 'givenName' | 'middleNames' | 'familyName'> {
  if (!name) return {};
  const [surname, rest = ''] = name.split(/,(.*)/s).map((s) => s.trim());
  const forenames = rest.split(/\s+/).filter(Boolean);
  const result: Pick<IdentityFields, 'givenName' | 'middleNames' | 'familyName'> = {};
  if (surname) result.familyName = titleCase(surname);
  if (forenames[0]) result.givenName = forenames[0];
  if (forenames.length > 1) result.middleNames = forenames.slice(1).join(' ');
  return result;
}

/** "12-Mar-1980" → 1980-03-12; anything else is reported and left out. */
export function careBirthDate(value: unknown, issues: FieldIssue[]): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(raw);
  const month = m ? months.findIndex((name) => name.toLowerCase() === m[2].toLowerCase()) + 1 : 0;
  if (m && month > 0) {
    const iso = `${m[3]}-${String(month).padStart(2, '0')}-${m[1].padStart(2, '0')}`;
    const date = new Date(`${iso}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso) return iso;
  }
  issues.push({
    field: 'dateOfBirth',
    code: 'malformed-date',
    reason: `dateOfBirth: ${JSON.stringify(raw)} is not a dd-MMM-yyyy date`,
    value: raw,
  });
  return undefined;
}

/** yyyyMMdd → yyyy-mm-dd (null when absent or unreadable: service fields are shown as the source has them). */
export function compactDate(value: string | null): string | null {
  const m = value ? /^(\d{4})(\d{2})(\d{2})$/.exec(value) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

export function involvementRecord(row: CareInvolvementRow): ServiceRecord {
  return {
    category: row.caseType === 'CHILDREN' ? 'children-social-care' : 'adult-social-care',
    recordId: row.caseId,
    fields: {
      caseId: row.caseId,
      caseType: row.caseType.toLowerCase(),
      allocatedTeam: row.allocatedTeam,
      openedOn: compactDate(row.openDate),
      closedOn: compactDate(row.closeDate),
    },
  };
}

/** SMITH → Smith, O'BRIEN → O'Brien, VAN DER BERG → Van Der Berg, SMITH-JONES → Smith-Jones. */
function titleCase(value: string): string {
  return value
    .toLowerCase()
    .replace(/(^|[\s'-])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());
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
