import { Role } from '../../engine/principal';
import { invalidRecord } from '../../engine/access.exception';
import { DERIVED_FIELDS } from '../policy/derived-fields';
import { declaredSpecial, parseFieldRef } from '../policy/field-ref';
import { FieldRef, LawfulBasis, SpecialCategoryCondition } from '../policy/policy.types';

/** The content of an agreement version, as an administrator writes it. */
export interface AgreementContent {
  title: string;
  parties: string[];
  purposes: string[];
  lawfulBasis: LawfulBasis;
  specialCategoryCondition?: SpecialCategoryCondition | null;
  releases: { purpose: string; fields: FieldRef[] }[];
  roles: Role[];
  caseReferenceRequired: boolean;
  /** Persons a day one client is expected to be shown; absent: none stated. */
  expectedDailyVolume?: number | null;
  /** Refuse past the expected volume (needs one); otherwise past it is only flagged. */
  refuseAboveExpectedVolume?: boolean | null;
  validFrom: Date;
  validTo?: Date | null;
  /** ISO date (YYYY-MM-DD). */
  reviewDate: string;
}

export interface AgreementReferenceData {
  organisations: ReadonlySet<string>;
  purposes: ReadonlySet<string>;
  /** Sources or `source.category` pairs holding special-category data, beyond social care. */
  specialCategories: readonly string[];
}

// DPA 2018 s.10: conditions (b), (g), (h), (i) and (j) of Art. 9(2) are met only with a Schedule 1 condition.
const needsSchedule1 = new Set(['b', 'g', 'h', 'i', 'j']);
const roles = new Set<string>(Object.values(Role));
/** The database's bound on the column too. */
const MAX_DAILY_VOLUME = 10_000_000;

/** Checks an agreement version before it is stored; every problem is named, none is silently fixed. */
export function validateAgreement(content: AgreementContent, reference: AgreementReferenceData): void {
  const problems: string[] = [];
  if (!content.title.trim()) problems.push('title is empty');
  if (content.parties.length === 0) problems.push('at least one party is needed');
  for (const party of content.parties)
    if (!reference.organisations.has(party)) problems.push(`party ${party} is not a known organisation`);
  if (content.purposes.length === 0) problems.push('at least one purpose is needed');
  for (const purpose of content.purposes)
    if (!reference.purposes.has(purpose)) problems.push(`purpose ${purpose} is not in the catalogue`);
  if (content.roles.length === 0) problems.push('at least one role is needed');
  for (const role of content.roles) if (!roles.has(role)) problems.push(`role ${role} is not a hub role`);
  if (!Object.values(LawfulBasis).includes(content.lawfulBasis))
    problems.push(`lawful basis ${content.lawfulBasis} is not one of Art. 6(1)(a)-(f)`);

  let special = false;
  const derived = new Set<string>();
  const seen = new Set<string>();
  for (const release of content.releases) {
    if (!content.purposes.includes(release.purpose))
      problems.push(`fields are released for ${release.purpose}, which the agreement does not permit`);
    if (seen.has(release.purpose)) problems.push(`purpose ${release.purpose} has two release lists`);
    seen.add(release.purpose);
    for (const field of release.fields) {
      const parsed = parseFieldRef(field);
      if (!parsed) {
        problems.push(`${field} is not a field reference (source.category.field)`);
        continue;
      }
      const isSpecial =
        declaredSpecial(parsed) ||
        reference.specialCategories.includes(parsed.source) ||
        reference.specialCategories.includes(`${parsed.source}.${parsed.category}`);
      if (isSpecial) special = true;
      if (DERIVED_FIELDS.has(field)) derived.add(field);
    }
  }

  const condition = content.specialCategoryCondition;
  if (special && !condition)
    problems.push('special-category data (e.g. social care) is released, so an Art. 9(2) condition is required');
  if (derived.size > 0 && !condition) {
    // A social care record's key, a social care team's name, a flag counting social care: special category too.
    problems.push(
      `${[...derived].join(', ')} can carry facts derived from special-category sources (e.g. social care), so an Art. 9(2) condition is required`,
    );
  }
  if (condition) {
    if (!/^[a-j]$/.test(condition.article9)) problems.push(`Art. 9(2) condition ${condition.article9} is not (a)-(j)`);
    else if (needsSchedule1.has(condition.article9) && !condition.schedule1Paragraph) {
      problems.push(`Art. 9(2)(${condition.article9}) needs a DPA 2018 Schedule 1 paragraph`);
    }
    const paragraph = condition.schedule1Paragraph;
    if (
      paragraph !== undefined &&
      paragraph !== null &&
      !(Number.isInteger(paragraph) && paragraph >= 1 && paragraph <= 37)
    ) {
      problems.push(`Schedule 1 paragraph ${paragraph} does not exist`);
    }
  }
  const volume = content.expectedDailyVolume;
  if (
    volume !== undefined &&
    volume !== null &&
    !(Number.isInteger(volume) && volume >= 1 && volume <= MAX_DAILY_VOLUME)
  ) {
    problems.push(`expectedDailyVolume must be a whole number of persons from 1 to ${MAX_DAILY_VOLUME}`);
  }
  if (content.refuseAboveExpectedVolume && (volume === undefined || volume === null)) {
    problems.push('refuseAboveExpectedVolume needs an expectedDailyVolume to refuse above');
  }
  if (Number.isNaN(content.validFrom.getTime())) problems.push('validFrom is not a date');
  if (content.validTo && content.validTo <= content.validFrom) problems.push('validTo must be after validFrom');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(content.reviewDate) || Number.isNaN(Date.parse(content.reviewDate))) {
    problems.push('reviewDate must be a date (YYYY-MM-DD)');
  }
  if (problems.length > 0) throw invalidRecord(`The agreement is not valid: ${problems.join('; ')}`, { problems });
}
