import { Comparison, IDENTIFIER_LEVELS } from './comparisons';
import { HOUSEHOLD_PATTERNS, HouseholdPattern, householdPattern, householdView, HouseholdView } from './household';
import { MatchConfig } from './match-config';
import { PreparedRecord } from './types';

type RulesConfig = MatchConfig['rules'];

const IDENTIFIER_DIFFERENT = IDENTIFIER_LEVELS.indexOf('different');

/**
 * Evidence that two records are two people, each with the field that tells them apart. The decisive ones
 * (two valid NINOs or NHS numbers that are not one typing slip apart, different generation suffixes) keep
 * a pair apart whatever else agrees; the household patterns (twins, namesakes) only separate a pair when
 * the weight the data gives them leaves it on balance two people (see household.ts).
 */
export const HARD_NEGATIVES = {
  'different NINO': (r: PreparedRecord) => r.nino !== null,
  'different NHS number': (r: PreparedRecord) => r.nhs !== null,
  'different generation suffix': (r: PreparedRecord) => r.generation !== null,
  [HOUSEHOLD_PATTERNS[0]]: (r: PreparedRecord) => r.given !== null,
  [HOUSEHOLD_PATTERNS[1]]: (r: PreparedRecord) => r.dob !== null,
  [HOUSEHOLD_PATTERNS[2]]: (r: PreparedRecord) => r.dob !== null,
  [HOUSEHOLD_PATTERNS[3]]: (r: PreparedRecord) => r.given !== null,
  [HOUSEHOLD_PATTERNS[4]]: (r: PreparedRecord) => r.given !== null,
  [HOUSEHOLD_PATTERNS[5]]: (r: PreparedRecord) => r.given !== null && r.dob !== null,
  [HOUSEHOLD_PATTERNS[6]]: (r: PreparedRecord) => r.dob !== null,
  [HOUSEHOLD_PATTERNS[7]]: (r: PreparedRecord) => r.given !== null,
} as const;

export type DecisiveNegative = 'different NINO' | 'different NHS number' | 'different generation suffix';
export type HardNegative = DecisiveNegative | HouseholdPattern;

/** Whether a record holds the field that separates the two people of a hard negative. */
export function holdsDistinguishingField(record: PreparedRecord, negative: HardNegative): boolean {
  return HARD_NEGATIVES[negative](record);
}

/** Reads a field for a deterministic rule: the normalised, validated value, or null. */
function fieldValue(r: PreparedRecord, field: string): string | null {
  switch (field) {
    case 'nhsNumber':
      return r.nhs;
    case 'nino':
      return r.nino;
    case 'dateOfBirth':
      return r.dob?.iso ?? null;
    case 'givenName':
      return r.given?.key ?? null;
    case 'familyName':
      return r.family?.key ?? null;
    case 'uprn':
      return r.uprn;
    case 'email':
      return r.email?.valid ? r.email.full : null;
    case 'phone':
      return r.phone;
    case 'postcode':
      return r.postcode?.full ?? null;
    default:
      return field.startsWith('identifier:') ? (r.identifiers?.get(field.slice('identifier:'.length)) ?? null) : null;
  }
}

/**
 * Deterministic rules (a pair agreeing exactly on all of a rule's fields is a match), decisive hard
 * negatives, and the household view of a pair. All are read from the comparison levels the model has
 * already computed, plus the prepared records.
 */
export class MatchRules {
  private readonly idx: Record<string, number>;

  constructor(
    private readonly config: RulesConfig,
    comparisons: readonly Comparison[],
  ) {
    this.idx = Object.fromEntries(comparisons.map((c, i) => [c.name, i]));
  }

  /** The name of the first deterministic rule the pair satisfies, or null. */
  deterministic(a: PreparedRecord, b: PreparedRecord): string | null {
    for (const rule of this.config.deterministic) {
      let all = true;
      for (const field of rule.fields) {
        const va = fieldValue(a, field);
        if (va === null || va !== fieldValue(b, field)) {
          all = false;
          break;
        }
      }
      if (all) return rule.name;
    }
    return null;
  }

  /**
   * Decisive evidence of two people: two valid NINOs, or NHS numbers, more than one typing slip apart
   * (a transposition or one edit is a slip, weighed by the model); different generation suffixes.
   */
  hardNegatives(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>): DecisiveNegative[] {
    const h = this.config.hardNegatives;
    const out: DecisiveNegative[] = [];
    if (h.differentNino && levels[this.idx.nino] === IDENTIFIER_DIFFERENT) out.push('different NINO');
    if (h.differentNhsNumber && levels[this.idx.nhsNumber] === IDENTIFIER_DIFFERENT) out.push('different NHS number');
    if (h.differentGenerationSuffix && a.generation && b.generation && a.generation !== b.generation)
      out.push('different generation suffix');
    return out;
  }

  /** How the pair relates as members of one household would (null when the family names differ). */
  householdView(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>): HouseholdView | null {
    const i = this.idx;
    return householdView(
      a,
      b,
      levels[i.givenName],
      levels[i.familyName],
      levels[i.dateOfBirth],
      levels[i.address],
      this.config.hardNegatives.generationYears,
    );
  }

  /** The household pattern of the pair (twins, namesakes at one home, ...), or null. */
  householdPattern(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>): HouseholdPattern | null {
    const h = this.config.hardNegatives;
    return householdPattern(this.householdView(a, b, levels), { twins: h.twins, generations: h.generations });
  }
}
