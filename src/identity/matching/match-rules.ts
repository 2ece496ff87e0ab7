import { Comparison, DOB_LEVELS } from './comparisons';
import { MatchConfig } from './match-config';
import { PreparedRecord } from './types';

const DOB_SAME_YEAR_ONLY = DOB_LEVELS.indexOf('same year only');

type RulesConfig = MatchConfig['rules'];

/** Hard negatives, each with the field that tells the two people apart. */
export const HARD_NEGATIVES = {
  'different NINO': (r: PreparedRecord) => r.nino !== null,
  'different NHS number': (r: PreparedRecord) => r.nhs !== null,
  'different generation suffix': (r: PreparedRecord) => r.generation !== null,
  'twins: same date of birth, different given names': (r: PreparedRecord) => r.given !== null,
  'generations: same name, births a generation apart': (r: PreparedRecord) => r.dob !== null,
} as const;

export type HardNegative = keyof typeof HARD_NEGATIVES;

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
      return r.email?.full ?? null;
    case 'phone':
      return r.phone;
    case 'postcode':
      return r.postcode?.full ?? null;
    default:
      return field.startsWith('identifier:') ? (r.identifiers?.get(field.slice('identifier:'.length)) ?? null) : null;
  }
}

/**
 * Deterministic rules (a pair agreeing exactly on all of a rule's fields is a match) and hard negatives
 * (evidence that two records cannot be one person whatever else agrees). Both are read from the
 * comparison levels the model has already computed, plus the prepared records.
 */
export class MatchRules {
  private readonly idx: Record<string, number>;

  private readonly personal: number[];
  private readonly names: string[];

  /**
   * `personalIdentifiers` are the free-named identifiers that belong to one person (not, say, a household's
   * council tax account); with NINO and NHS number, an exact agreement on one of them outweighs the twins
   * and generation heuristics, since twins and a father and son do not share a personal identifier.
   */
  constructor(
    private readonly config: RulesConfig,
    comparisons: readonly Comparison[],
    personalIdentifiers: readonly string[] = [],
  ) {
    this.idx = Object.fromEntries(comparisons.map((c, i) => [c.name, i]));
    this.names = comparisons.map((c) => c.name);
    this.personal = ['nino', 'nhsNumber', ...personalIdentifiers.map((k) => `identifier:${k}`)]
      .map((n) => this.idx[n])
      .filter((i) => i !== undefined);
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

  /** Names of the hard negatives the pair triggers (empty when none). */
  hardNegatives(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>): HardNegative[] {
    const h = this.config.hardNegatives;
    const out: HardNegative[] = [];
    const lv = (name: string) => levels[this.idx[name]];
    if (h.differentNino && lv('nino') === 3) out.push('different NINO');
    if (h.differentNhsNumber && lv('nhsNumber') === 3) out.push('different NHS number');
    if (h.differentGenerationSuffix && a.generation && b.generation && a.generation !== b.generation)
      out.push('different generation suffix');
    if (this.personalIdentifierAgrees(a, b, levels)) return out;
    const given = lv('givenName');
    const family = lv('familyName');
    const dob = lv('dateOfBirth');
    // Given names that are not the same name: no exact, nickname, close (Jaro-Winkler 0.92) or swapped
    // agreement. A weak likeness (phonetic, an initial, Jaro-Winkler 0.80) is what twins' names often have
    // (Harry / Harrison, Ava / Evie), so it does not count as the same name here.
    const fullNames = (a.given?.key.length ?? 0) > 1 && (b.given?.key.length ?? 0) > 1;
    const givenDifferent = given === 8 && fullNames;
    const givenOnlyAlike = given >= 5 && given <= 7 && fullNames;
    const familyAgrees = family >= 1 && family <= 3;
    // Twins' records share the date of birth, give or take a slip (day and month swapped, one part wrong).
    const sameHome = this.sameAddress(levels);
    if (
      h.twins &&
      dob >= 1 &&
      dob <= 3 &&
      ((givenDifferent && (familyAgrees || sameHome)) || (givenOnlyAlike && sameHome))
    ) {
      out.push('twins: same date of birth, different given names');
    }
    // A generation apart, a name that is the same or only alike counts: a typo in a son's given name or
    // surname (Joahua / Joshua, Worthash / Woathash) does not make his father's record his.
    if (
      h.generations &&
      this.givenSameOrAlike(given, family) &&
      (this.familySameOrAlike(family) || family === 4) &&
      a.dob &&
      b.dob &&
      dob >= DOB_SAME_YEAR_ONLY
    ) {
      if (Math.abs(a.dob.y - b.dob.y) >= h.generationYears)
        out.push('generations: same name, births a generation apart');
    }
    return out;
  }

  /**
   * Two records of one household (one home, one family name) that nothing personal confirms cannot be
   * told apart: the family name and the address are what its members share, so only a date of birth, or
   * failing it a personal identifier, email or phone, says which member a record is. A pair whose dates
   * of birth do not agree (one is missing, or they differ beyond a slip), or twins' records where a given
   * name is missing, needs that corroboration to be linked automatically; otherwise a person reviews it.
   */
  needsCorroboration(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>): boolean {
    const h = this.config.hardNegatives;
    const given = levels[this.idx.givenName];
    const family = levels[this.idx.familyName];
    const dob = levels[this.idx.dateOfBirth];
    if (!(this.familySameOrAlike(family) || (given === 4 && family === 4)) || !this.sameAddress(levels)) return false;
    // Father and son, brothers given one name, or a relative whose given name is merely alike (Dave /
    // Davd, Thomas / Tomasz): the dates of birth cannot confirm the pair, because one is missing or the
    // two differ in more than one part. Whatever the given names, at one address a namesake or
    // similarly named relative is likelier than a record whose date of birth is wholly mistyped. Years a
    // generation apart do not confirm it either, even one keystroke apart (1960 / 1990): a son born on
    // his father's birthday is as likely there as that slip.
    const generationApart = !!a.dob && !!b.dob && Math.abs(a.dob.y - b.dob.y) >= h.generationYears;
    const namesakes = h.generations && (dob === 0 || dob >= DOB_SAME_YEAR_ONLY || generationApart);
    // Twins: the same date of birth at one home, and no given name on one side to tell them apart.
    const twins = h.twins && given === 0 && dob >= 1 && dob <= 3;
    if (!namesakes && !twins) return false;
    if (levels[this.idx.email] === 1 || levels[this.idx.phone] === 1) return false;
    return !this.personalIdentifierAgrees(a, b, levels);
  }

  /**
   * The same family name, a part or previous one, or one only alike (double metaphone, Jaro-Winkler 0.80:
   * a typo). Only used with other household evidence: a surname typo does not make two relatives one.
   */
  private familySameOrAlike(family: number): boolean {
    return family >= 1 && family <= 6 && family !== 4;
  }

  /** Given names that are not clearly different (missing on one side counts), or swapped with the family names. */
  private givenSameOrAlike(given: number, family: number): boolean {
    return given === 4 ? family === 4 : given !== 8;
  }

  /**
   * Exact, or one transposition / one edit (a typing slip). Numeric identifiers within 10 of each other are
   * not counted: identifiers are often allocated in sequence, so twins registered together can hold them.
   */
  private personalIdentifierAgrees(a: PreparedRecord, b: PreparedRecord, levels: ArrayLike<number>): boolean {
    for (const k of this.personal) {
      if (levels[k] === 1) return true;
      if (levels[k] !== 2) continue;
      const name = this.names[k];
      if (!name.startsWith('identifier:')) return true;
      const va = a.identifiers?.get(name.slice(11)) ?? '';
      const vb = b.identifiers?.get(name.slice(11)) ?? '';
      if (!(/^\d+$/.test(va) && /^\d+$/.test(vb) && Math.abs(Number(va) - Number(vb)) < 10)) return true;
    }
    return false;
  }

  /** Same property: same UPRN, or the same address lines (with the same postcode, or none to compare). */
  private sameAddress(levels: ArrayLike<number>): boolean {
    const address = levels[this.idx.address];
    return address >= 1 && address <= 4;
  }
}
