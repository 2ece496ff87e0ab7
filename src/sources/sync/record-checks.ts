import { createHash } from 'node:crypto';
import { isValidNhsNumber, isValidNino, normaliseNhsNumber, normaliseNino } from '../identifiers';
import { IdentityFields } from '../identity-fields';
import {
  FieldIssue,
  HouseholdHint,
  QuarantineReasonCode,
  RejectedRecord,
  SourceIdentityRecord,
} from '../source-adapter';

export interface PreparedRecord {
  sourceKey: string;
  deleted: boolean;
  demographics: IdentityFields;
  householdHints: HouseholdHint[];
  contentHash: string;
  sourceUpdatedAt?: string;
  issues: FieldIssue[];
}

export interface QuarantineItem {
  scope: 'record' | 'field' | 'page';
  sourceKey?: string;
  field?: string;
  code: QuarantineReasonCode;
  reason: string;
  raw: unknown;
  fingerprint: string;
}

/**
 * Readies an adapter's record for storage. National identifiers are checked here, once for every source:
 * an invalid NINO or NHS number is data, not a broken record, so the record is kept, the value is withheld
 * from the demographics (the matcher sees no NINO rather than a wrong one) and the value is quarantined
 * with its reason for the data steward. Formats are normalised (upper case, no spaces); content never.
 */
export function prepareRecord(record: SourceIdentityRecord): PreparedRecord {
  const issues = [...(record.issues ?? [])];
  const demographics: IdentityFields = { ...record.identity };
  if (demographics.nino !== undefined) {
    const nino = normaliseNino(demographics.nino);
    if (isValidNino(nino)) demographics.nino = nino;
    else {
      issues.push({
        field: 'nino',
        code: 'invalid-nino',
        reason: `nino: ${JSON.stringify(demographics.nino)} is not a valid National Insurance number`,
        value: demographics.nino,
      });
      delete demographics.nino;
    }
  }
  if (demographics.nhsNumber !== undefined) {
    const nhs = normaliseNhsNumber(demographics.nhsNumber);
    if (isValidNhsNumber(nhs)) demographics.nhsNumber = nhs;
    else {
      issues.push({
        field: 'nhsNumber',
        code: 'invalid-nhs-number',
        reason: `nhsNumber: ${JSON.stringify(demographics.nhsNumber)} fails the NHS number check`,
        value: demographics.nhsNumber,
      });
      delete demographics.nhsNumber;
    }
  }
  const clean = prune(demographics) as IdentityFields;
  const hints = record.householdHints.map((hint) => prune(hint) as HouseholdHint);
  return {
    sourceKey: record.sourceKey,
    deleted: record.deleted === true,
    demographics: clean,
    householdHints: hints,
    contentHash: contentHash(clean, hints),
    sourceUpdatedAt: record.updatedAt,
    issues,
  };
}

/** The same identity and hints always hash the same, whatever order the adapter set the keys in. */
export function contentHash(demographics: IdentityFields, hints: HouseholdHint[]): string {
  return createHash('sha256').update(stableJson({ demographics, hints })).digest('hex');
}

export function fieldQuarantine(source: string, record: PreparedRecord): QuarantineItem[] {
  return record.issues.map((issue) => ({
    scope: 'field',
    sourceKey: record.sourceKey,
    field: issue.field,
    code: issue.code,
    reason: issue.reason,
    raw: { [issue.field]: issue.value },
    fingerprint: fingerprint([source, 'field', record.sourceKey, issue.field, issue.code, stableJson(issue.value)]),
  }));
}

export function rejectedQuarantine(source: string, rejected: RejectedRecord): QuarantineItem {
  const code = rejected.code ?? 'invalid-record';
  return {
    scope: 'record',
    sourceKey: rejected.sourceKey,
    code,
    reason: rejected.reason,
    raw: rejected.raw ?? null,
    // A record without a key is known only by its content.
    fingerprint: fingerprint([source, 'record', rejected.sourceKey ?? stableJson(rejected.raw), code]),
  };
}

export function pageQuarantine(
  source: string,
  cursor: string | undefined,
  code: QuarantineReasonCode,
  reason: string,
  detail: Record<string, unknown>,
): QuarantineItem {
  return {
    scope: 'page',
    code,
    reason,
    raw: { cursor: cursor ?? null, ...detail },
    fingerprint: fingerprint([source, 'page', cursor ?? '', code]),
  };
}

function fingerprint(parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

function prune(value: object): object {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0)),
  );
}

export function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
}
