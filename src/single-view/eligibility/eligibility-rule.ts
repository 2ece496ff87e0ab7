import type { ServiceRecord } from '../../sources/source-adapter';

/** The questions the hub answers without disclosing the data behind them. */
export enum EligibilityCheck {
  FREE_SCHOOL_MEALS = 'FREE_SCHOOL_MEALS',
  COUNCIL_TAX_REDUCTION = 'COUNCIL_TAX_REDUCTION',
  /** An entitled pupil not taking free school meals: for the council to encourage take-up. */
  FREE_SCHOOL_MEALS_TAKE_UP = 'FREE_SCHOOL_MEALS_TAKE_UP',
}

export type EligibilityResult = 'YES' | 'NO' | 'UNKNOWN';

/** What one source gave the rule: its records in the categories the rule reads, or why there are none. */
export type SourceInput =
  { status: 'available'; records: readonly ServiceRecord[] } | { status: 'unavailable' | 'not-configured' };

export interface RuleInputs {
  /** Source id → what it gave; a source the rule reads but absent here counts as not configured. */
  sources: ReadonlyMap<string, SourceInput>;
  /** The day the rule is evaluated for (yyyy-mm-dd, Europe/London): awards are compared with it. */
  today: string;
}

export type GapReason = 'SOURCE_UNAVAILABLE' | 'SOURCE_NOT_CONFIGURED' | 'DATA_INCOMPLETE';

/** Why an answer is UNKNOWN: the source and the names of missing fields, never a value. */
export interface EligibilityGap {
  source: string;
  reason: GapReason;
  fields: string[];
}

export interface Evaluation {
  result: EligibilityResult;
  /** Empty unless the result is UNKNOWN. */
  gaps: EligibilityGap[];
}

/** A source category and the fields of it the rule reads; nothing else is passed to the rule. */
export interface RuleInput {
  source: string;
  category: string;
  fields: readonly string[];
}

/**
 * A documented, versioned eligibility rule (docs/eligibility.md). `evaluate` is pure: the same inputs and
 * day always give the same answer. A change to what a rule decides is a new version, so an answer in the
 * audit trail can always be traced to the rule text that produced it.
 */
export interface EligibilityRule {
  check: EligibilityCheck;
  /** Stable name, e.g. `fsm-means-tested-award`. */
  id: string;
  version: number;
  /** The agreement field that releases this answer (source `hub`). */
  answerRef: string;
  inputs: readonly RuleInput[];
  evaluate(inputs: RuleInputs): Evaluation;
}

/** The calendar day in Europe/London (awards run by local dates), as yyyy-mm-dd. */
export function londonDay(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/London',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}
