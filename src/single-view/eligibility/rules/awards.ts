import type { ServiceRecord } from '../../../sources/source-adapter';
import { EligibilityGap, Evaluation, RuleInputs } from '../eligibility-rule';

/** The benefit-claim fields the award rules read (benefits adapter, categories `*-claim`). */
export const AWARD_FIELDS = ['role', 'status', 'awardStartDate', 'awardEndDate', 'weeklyAmount'] as const;

type AwardState = { kind: 'in-force' } | { kind: 'not-in-force' } | { kind: 'incomplete'; fields: string[] };

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function dateOf(value: unknown): string | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !isoDate.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return null;
  return value;
}

/**
 * Whether one claim record shows an award in force on `today`: status live, started on or before today,
 * not ended before today, and not a nil award. A record that is plainly not in force (suspended, ended)
 * says so even when other fields are missing; a live one with missing or unreadable dates is incomplete.
 */
export function awardState(fields: Record<string, unknown>, today: string): AwardState {
  const status = typeof fields.status === 'string' ? fields.status.toLowerCase() : undefined;
  if (status === 'suspended' || status === 'ended') return { kind: 'not-in-force' };
  const missing: string[] = status === 'live' ? [] : ['status'];
  const start = dateOf(fields.awardStartDate);
  const end = dateOf(fields.awardEndDate);
  if (!start) missing.push('awardStartDate');
  if (end === null) missing.push('awardEndDate');
  const amount = fields.weeklyAmount;
  if (amount !== undefined && amount !== null && typeof amount !== 'number') missing.push('weeklyAmount');
  if ((start && start > today) || (end && end < today) || (typeof amount === 'number' && amount <= 0))
    return { kind: 'not-in-force' };
  return missing.length > 0 ? { kind: 'incomplete', fields: missing } : { kind: 'in-force' };
}

export interface AwardQuestion {
  source: string;
  /** Claim categories that count. */
  categories: readonly string[];
  /** The person's role on the claim that counts (e.g. `dependant`; `claimant`, `partner`). */
  roles: readonly string[];
}

/**
 * YES when any record of the person in the given categories, in one of the given roles, shows an award in
 * force; NO when the source answered and none does; UNKNOWN when the source did not answer, or when a
 * record that could have made it YES lacks what is needed to tell (its role, status or dates).
 */
export function evaluateAwards(inputs: RuleInputs, question: AwardQuestion): Evaluation {
  const input = inputs.sources.get(question.source) ?? { status: 'not-configured' as const };
  if (input.status !== 'available') {
    return {
      result: 'UNKNOWN',
      gaps: [
        {
          source: question.source,
          reason: input.status === 'unavailable' ? 'SOURCE_UNAVAILABLE' : 'SOURCE_NOT_CONFIGURED',
          fields: [],
        },
      ],
    };
  }
  const missing = new Set<string>();
  for (const record of input.records.filter((r: ServiceRecord) => question.categories.includes(r.category))) {
    const role = typeof record.fields.role === 'string' ? record.fields.role : undefined;
    if (role !== undefined && !question.roles.includes(role)) continue;
    const state = awardState(record.fields, inputs.today);
    if (state.kind === 'not-in-force') continue;
    if (state.kind === 'in-force' && role !== undefined) return { result: 'YES', gaps: [] };
    if (role === undefined) missing.add('role');
    if (state.kind === 'incomplete') for (const field of state.fields) missing.add(field);
  }
  if (missing.size === 0) return { result: 'NO', gaps: [] };
  const gap: EligibilityGap = { source: question.source, reason: 'DATA_INCOMPLETE', fields: [...missing].sort() };
  return { result: 'UNKNOWN', gaps: [gap] };
}
