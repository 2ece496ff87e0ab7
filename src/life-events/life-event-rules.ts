import { isValid as isValidPostcode, toNormalised } from 'postcode';
import { evidenceProblem, EVIDENCE_FORMAT } from '../access/consent/evidence-reference';
import { unsafeTextProblem } from '../common/safe-text';

/** What a registrar or contact-centre officer reports once (Tell Us Once). */
export type LifeEventType = 'DEATH' | 'BIRTH' | 'CHANGE_OF_ADDRESS' | 'CHANGE_OF_NAME';
export const LIFE_EVENT_TYPES: readonly LifeEventType[] = ['DEATH', 'BIRTH', 'CHANGE_OF_ADDRESS', 'CHANGE_OF_NAME'];

/** A person described instead of named by id: the hub finds them with the matcher. */
export interface ReportedPerson {
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  postcode?: string;
  nino?: string;
  nhsNumber?: string;
}

export interface ReportedAddress {
  lines: string[];
  postcode: string;
  /** When known: the Unique Property Reference Number (1-12 digits). */
  uprn?: string;
}

export interface ReportedName {
  givenName?: string;
  middleNames?: string;
  familyName?: string;
}

/** One report, as it arrives, before the person is found. */
export interface LifeEventReport {
  type: LifeEventType;
  /** When it happened: the date of death or birth, of the move, of the change of name (YYYY-MM-DD). */
  date: string;
  /** Where the evidence is kept (the death or birth register entry, a deed poll): `SYSTEM:REFERENCE`. */
  evidenceReference: string;
  /** The person the event is about; for a birth, none (the child is new): give `parents` and `child`. */
  personId?: string;
  person?: ReportedPerson;
  newAddress?: ReportedAddress;
  newName?: ReportedName;
  /** For a birth: the parents the hub knows (at least one). */
  parentIds?: string[];
  child?: { givenName: string; familyName: string; sex?: 'F' | 'M' | 'X' };
}

/** What the hub already knows of the person, for the checks that compare with it. */
export interface KnownPerson {
  dateOfBirth?: string | null;
  dateOfDeath?: string | null;
  givenName?: string | null;
  familyName?: string | null;
}

/** One thing wrong with a report: the input field, and a message an officer can act on. */
export interface ReportProblem {
  field: string;
  message: string;
}

/** Dates before this are typing slips (a life event reported to a council today happened after it). */
const EARLIEST = '1900-01-01';
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UPRN = /^[1-9]\d{0,11}$/;

/** Whether `value` is a real calendar date written YYYY-MM-DD (2025-02-30 is not). */
export function isCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** A UK postcode in its standard form ("SE16 7GH"), or undefined when it is not one. */
export function ukPostcode(value: string): string | undefined {
  return isValidPostcode(value) ? (toNormalised(value) ?? undefined) : undefined;
}

/**
 * Everything wrong with a report, checked before anything is stored or delivered (docs/life-events.md,
 * "What a report must hold"). `today` is the date in Europe/London; `known` what the hub holds of the
 * person once found (absent for a birth, or when the person is described and not yet found).
 */
export function reportProblems(report: LifeEventReport, today: string, known: KnownPerson = {}): ReportProblem[] {
  const problems: ReportProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const text = (field: string, value: string | undefined, required: boolean) => {
    const trimmed = value?.trim() ?? '';
    if (!trimmed) {
      if (required) add(field, 'is required');
      return;
    }
    const unsafe = unsafeTextProblem(value!, 'line', 200);
    if (unsafe) add(field, `cannot be used: ${unsafe}`);
  };

  if (!LIFE_EVENT_TYPES.includes(report.type)) add('type', `must be one of ${LIFE_EVENT_TYPES.join(', ')}`);

  if (!isCalendarDate(report.date)) add('date', 'must be a date written YYYY-MM-DD');
  else if (report.date > today) add('date', `is in the future (today is ${today})`);
  else if (report.date < EARLIEST) add('date', `is before ${EARLIEST}`);
  else if (known.dateOfBirth && report.date < known.dateOfBirth && report.type !== 'BIRTH')
    add('date', `is before the person's date of birth (${known.dateOfBirth})`);
  else if (known.dateOfDeath && report.type !== 'DEATH')
    add(
      'personId',
      `the person's death was reported (${known.dateOfDeath}): withdraw that report first if it was wrong`,
    );
  else if (known.dateOfDeath && report.type === 'DEATH' && known.dateOfDeath !== report.date)
    add('date', `a death on ${known.dateOfDeath} is already recorded: withdraw that report to correct its date`);

  const evidence = evidenceProblem(report.evidenceReference);
  if (evidence) add('evidenceReference', `${evidence}: give ${EVIDENCE_FORMAT}`);

  if (report.type === 'BIRTH') {
    if (report.personId || report.person)
      add('personId', 'a birth names its parents (parentIds) and the child (child), not a person');
    const parents = report.parentIds ?? [];
    if (parents.length === 0) add('parentIds', 'a birth must be linked to at least one parent the hub knows');
    if (new Set(parents).size !== parents.length) add('parentIds', 'names the same parent twice');
    if (parents.length > 2) add('parentIds', 'names more than two parents');
    if (!report.child) add('child', "a birth needs the child's given and family names");
    else {
      text('child.givenName', report.child.givenName, true);
      text('child.familyName', report.child.familyName, true);
    }
  } else {
    if (!report.personId && !report.person)
      add('personId', 'give the personId, or the person (their names and date of birth)');
    if (report.personId && report.person) add('person', 'give the personId or the person, not both');
    if (report.person) {
      text('person.givenName', report.person.givenName, true);
      text('person.familyName', report.person.familyName, true);
      if (!isCalendarDate(report.person.dateOfBirth ?? ''))
        add('person.dateOfBirth', 'must be a date written YYYY-MM-DD');
      if (report.person.postcode && !ukPostcode(report.person.postcode))
        add('person.postcode', 'is not a valid UK postcode');
    }
    if (report.parentIds?.length || report.child) add('child', 'only a birth has a child and parents');
  }

  if (report.type === 'CHANGE_OF_ADDRESS') {
    const address = report.newAddress;
    if (!address) add('newAddress', 'a change of address needs the new address');
    else {
      if (!ukPostcode(address.postcode ?? '')) add('newAddress.postcode', 'is not a valid UK postcode');
      if (!address.lines?.some((line) => line.trim())) add('newAddress.lines', 'needs at least the first line');
      address.lines?.forEach((line, index) => text(`newAddress.lines.${index}`, line, false));
      if (address.lines && address.lines.length > 5) add('newAddress.lines', 'has more than 5 lines');
      if (address.uprn !== undefined && address.uprn !== null && !UPRN.test(address.uprn))
        add('newAddress.uprn', 'is not a UPRN (1 to 12 digits)');
    }
  } else if (report.newAddress) add('newAddress', 'only a change of address has a new address');

  if (report.type === 'CHANGE_OF_NAME') {
    const name = report.newName;
    if (!name || !(name.givenName?.trim() || name.familyName?.trim()))
      add('newName', 'a change of name needs the new given name, family name, or both');
    else {
      text('newName.givenName', name.givenName, false);
      text('newName.middleNames', name.middleNames, false);
      text('newName.familyName', name.familyName, false);
      const same = (a?: string | null, b?: string | null) =>
        !a?.trim() || a.trim().toLowerCase() === b?.trim().toLowerCase();
      if (same(name.givenName, known.givenName) && same(name.familyName, known.familyName) && !name.middleNames?.trim())
        add('newName', 'is the name the person already has');
    }
  } else if (report.newName) add('newName', 'only a change of name has a new name');

  return problems;
}

/**
 * What makes two reports the same event: the same type, person and date. (The same evidence reference is
 * the other way a repeat is recognised; the intake checks both.)
 */
export function sameEventKey(type: LifeEventType, subjectId: string, date: string): string {
  return `${type}:${subjectId}:${date}`;
}
