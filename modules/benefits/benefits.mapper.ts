import { IdentityFields } from '../../src/sources/identity-fields';
import {
  FieldIssue,
  HouseholdHint,
  RejectedRecord,
  ServiceRecord,
  SourceIdentityRecord,
} from '../../src/sources/source-adapter';
import { BenefitsClaim, roleNames } from './benefits-api.types';

type Raw = Record<string, unknown>;

/** One benefits claim party → the hub's identity record, or the reason it cannot be one. */
export function mapBenefitsParty(raw: unknown): SourceIdentityRecord | RejectedRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    return { code: 'invalid-record', reason: 'record is not an object', raw };
  const r = raw as Raw;
  const key = text(r.partyId);
  if (!key) return { code: 'missing-key', reason: 'partyId: missing', raw };
  const updatedAt =
    typeof r.lastChanged === 'string' && !Number.isNaN(Date.parse(r.lastChanged))
      ? new Date(r.lastChanged).toISOString()
      : undefined;
  if (r.deleted === true) return { sourceKey: key, identity: {}, householdHints: [], deleted: true, updatedAt };
  const person = obj(r.person);
  if (!person) return { sourceKey: key, code: 'invalid-record', reason: 'person: missing', raw };

  const issues: FieldIssue[] = [];
  const identity: IdentityFields = {};
  assign(identity, 'givenName', text(person.forename));
  assign(identity, 'middleNames', text(person.otherForenames));
  assign(identity, 'familyName', text(person.surname));
  const former = Array.isArray(person.formerSurnames)
    ? person.formerSurnames.map(text).filter((n): n is string => !!n)
    : [];
  if (former.length) identity.previousFamilyNames = former;
  assign(identity, 'dateOfBirth', isoDate(person.dateOfBirth, 'dateOfBirth', issues));
  if (person.sex === 'F' || person.sex === 'M') identity.sex = person.sex;
  else if (person.sex === 'U') identity.sex = 'X';
  assign(identity, 'nino', text(person.nino));
  const contact = obj(person.contact) ?? {};
  assign(identity, 'phone', text(contact.phone));
  assign(identity, 'email', text(contact.email)?.toLowerCase());
  const address = obj(r.claimAddress) ?? {};
  assign(identity, 'uprn', text(address.uprn));
  const lines = Array.isArray(address.lines) ? address.lines.map(text).filter((l): l is string => !!l) : [];
  if (lines.length) identity.addressLines = lines;
  assign(identity, 'locality', text(address.town));
  assign(identity, 'postcode', text(address.postcode)?.toUpperCase());

  const claim = text(r.claimReference);
  const hints: HouseholdHint[] = [];
  if (claim) {
    const hint: HouseholdHint = { groupKey: claim, kind: 'benefit-claim' };
    const role = roleNames[String(r.partyRole)];
    if (role) hint.role = role;
    if (identity.uprn) hint.uprn = identity.uprn;
    const from = isoDate(r.awardStartDate, 'householdHints.from', issues);
    const to = isoDate(r.awardEndDate, 'householdHints.to', issues);
    if (from) hint.from = from;
    if (to) hint.to = to;
    hints.push(hint);
  }
  return { sourceKey: key, identity, householdHints: hints, updatedAt, ...(issues.length ? { issues } : {}) };
}

export function claimRecord(
  claim: BenefitsClaim & { parties?: { partyId: string; partyRole?: string }[] },
  partyId: string,
): ServiceRecord[] {
  const role = roleNames[String(claim.parties?.find((p) => p.partyId === partyId)?.partyRole)] ?? null;
  const base = {
    claimRef: claim.claimReference,
    role,
    status: claim.status.toLowerCase(),
    awardStartDate: claim.awardStartDate,
    awardEndDate: claim.awardEndDate,
  };
  const records: ServiceRecord[] = [];
  if (claim.schemes.includes('HB')) {
    records.push({
      category: 'housing-benefit-claim',
      recordId: `${claim.claimReference}/HB`,
      fields: { ...base, weeklyAmount: claim.weeklyHousingBenefit },
    });
  }
  if (claim.schemes.includes('CTR')) {
    records.push({
      category: 'council-tax-reduction-claim',
      recordId: `${claim.claimReference}/CTR`,
      fields: { ...base, weeklyAmount: claim.weeklyCouncilTaxReduction },
    });
  }
  return records;
}

/** yyyy-mm-dd, checked to be a real calendar date; anything else is reported and left out. */
export function isoDate(value: unknown, field: string, issues: FieldIssue[]): string | undefined {
  const raw = text(value);
  if (!raw) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    const date = new Date(`${raw}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === raw) return raw;
  }
  issues.push({
    field,
    code: 'malformed-date',
    reason: `${field}: ${JSON.stringify(raw)} is not a yyyy-mm-dd date`,
    value: raw,
  });
  return undefined;
}

function obj(value: unknown): Raw | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Raw) : undefined;
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
  if (value !== undefined) target[key] = value;
}
