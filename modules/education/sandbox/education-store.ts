import { stringify } from 'csv-stringify/sync';
import { SourceHabits, recordIdentity } from '../../../src/sandbox/borough-mess';
import { Borough, BoroughPerson } from '../../../src/sandbox/borough-model';
import { readJsonFile, writeJsonFile, WriteQueue } from '../../../src/sandbox/sandbox-storage';
import { SeededRandom } from '../../../src/sandbox/seeded-random';

/** The pupil extract's columns, in the order the school information system writes them. */
export const extractColumns = [
  'UPN',
  'Forename',
  'MiddleNames',
  'Surname',
  'FormerSurnames',
  'DOB',
  'Gender',
  'UPRN',
  'AddressLine1',
  'AddressLine2',
  'AddressLine3',
  'Town',
  'Postcode',
  'SchoolURN',
  'SchoolName',
  'NCYear',
  'EnrolStatus',
  'AdmissionDate',
  'AttendancePct',
  'PersistentAbsentee',
  'Suspensions',
  'LastSuspensionDate',
  'PermanentlyExcluded',
  'ExclusionDate',
  'SENProvision',
  'SENPrimaryNeed',
  'EHCPlanDate',
  'FSMEligible',
  'FSMEligibleFrom',
  'FSMTakenUp',
  'CMEStatus',
  'CMEReportedDate',
  'CMEReason',
  'LastUpdated',
] as const;

export type PupilRow = Partial<Record<(typeof extractColumns)[number], string>> & { UPN: string };

export interface EducationData {
  format: 'education-sandbox/1';
  /** When the extract was last written (ISO): the day's extract is regenerated at most this often. */
  pupils: PupilRow[];
  /** The borough person each pupil is, for the ground truth. */
  personIds: Record<string, string>;
}

/** Schools record names carefully (from birth certificates) but rarely hold NHS numbers or NINOs. */
const educationHabits: SourceHabits = {
  nickname: 0.05,
  nameTypo: 0.02,
  keepsMiddleNames: 0.7,
  staleFamilyName: 0,
  knowsPreviousName: 0,
  missingDob: 0.002,
  swappedDob: 0.01,
  wrongYear: 0.003,
  holdsNino: 0,
  ninoTypo: 0,
  invalidNino: 0,
  looseNinoFormat: 0,
  holdsNhs: 0,
  spacedNhs: 0,
  nhsTypo: 0,
  holdsContact: 0,
};

const primarySchools: readonly (readonly [string, string])[] = [
  ['100231', 'Northshire Road Primary School'],
  ['100245', 'St Anne’s CE Primary School'],
  ['100262', 'Millfield Primary Academy'],
  ['100288', 'Riverside Infant and Junior School'],
  ['100301', 'Hollybank Primary School'],
];
const secondarySchools: readonly (readonly [string, string])[] = [
  ['137402', 'Northshire Academy'],
  ['137455', 'Castle Hill School'],
  ['137471', 'St Bede’s Catholic High School'],
];
const needs = ['SEMH', 'SLCN', 'ASD', 'MLD', 'SpLD', 'HI', 'VI', 'PD', 'OTH'];
const cmeReasons = ['moved out of area, destination unknown', 'not on roll after a move', 'left for home education'];

/** `dd/MM/yyyy` of an ISO date, as the school information system writes dates. */
function ukDate(iso: string): string {
  const [year, month, day] = iso.split('-');
  return `${day}/${month}/${year}`;
}

/** The national curriculum year of a child born on `dob` in the academic year of `referenceDate`: 0 is reception. */
function yearGroupOf(dob: string, referenceDate: string): number {
  const [refYear, refMonth] = referenceDate.split('-').map(Number);
  const academicStart = refMonth >= 9 ? refYear : refYear - 1;
  const [year, month] = dob.split('-').map(Number);
  // Age on 31 August before the academic year starts.
  const age = academicStart - year - (month > 8 ? 1 : 0);
  return age - 4;
}

/**
 * The pupils of the borough: its households' children of school age (reception to year 11), each recorded
 * by their school (at their household's address) with attendance, suspensions, special educational needs,
 * Free School Meals (more often eligible where the family has a live benefit claim) and children missing
 * education. A few rows carry malformed dates, as real extracts do.
 */
export function educationDataFromBorough(borough: Borough): EducationData {
  const rng = new SeededRandom(`education:${borough.seed}`);
  const people = new Map(borough.people.map((p) => [p.id, p]));
  const addresses = new Map(borough.addresses.map((a) => [a.id, a]));
  const onLiveClaim = new Set(borough.benefits.filter((b) => b.status === 'live').map((b) => b.personId));
  const pupils: PupilRow[] = [];
  const personIds: Record<string, string> = {};
  let next = 0;
  for (const household of borough.households) {
    for (const member of household.members) {
      if (member.role !== 'child' || member.to !== undefined) continue;
      const person = people.get(member.personId)!;
      const year = yearGroupOf(person.dateOfBirth, borough.referenceDate);
      if (year < 0 || year > 11 || rng.chance(0.02)) continue; // not of school age, or educated elsewhere
      const upn = `${rng.pick([...'ABCDEFGHJKLMNPQRTUVWXYZ'])}${String(826_000_000_000 + ++next * 7 + rng.int(0, 6))}`;
      personIds[upn] = person.id;
      pupils.push(
        pupil(rng, person, upn, year, addresses.get(household.addressId)!, onLiveClaim.has(person.id), borough),
      );
    }
  }
  return { format: 'education-sandbox/1', pupils, personIds };
}

function pupil(
  rng: SeededRandom,
  person: BoroughPerson,
  upn: string,
  year: number,
  address: Borough['addresses'][number],
  familyOnBenefits: boolean,
  borough: Borough,
): PupilRow {
  const recorded = recordIdentity(rng, person, educationHabits, address.id, false);
  const reference = borough.referenceDate;
  const daysAgo = (n: number) => new Date(Date.parse(reference) - n * 86_400_000).toISOString().slice(0, 10);
  const [urn, school] = rng.pick(year <= 6 ? primarySchools : secondarySchools);
  const row: PupilRow = {
    UPN: upn,
    Forename: recorded.givenName,
    MiddleNames: recorded.middleNames ?? '',
    Surname: recorded.familyName,
    FormerSurnames: '',
    DOB: recorded.dateOfBirth ? ukDate(recorded.dateOfBirth) : '',
    Gender: recorded.sex === 'F' ? 'Female' : recorded.sex === 'M' ? 'Male' : '',
    UPRN: address.uprn,
    AddressLine1: address.lines[0] ?? '',
    AddressLine2: address.lines[1] ?? '',
    AddressLine3: address.lines[2] ?? '',
    Town: address.locality,
    Postcode: address.postcode,
    SchoolURN: urn,
    SchoolName: school,
    NCYear: year === 0 ? 'R' : String(year),
    EnrolStatus: rng.chance(0.97) ? 'Current' : 'Guest',
    AdmissionDate: ukDate(daysAgo(rng.int(30, Math.max(31, (year % 7) * 365 + 200)))),
    LastUpdated: `${daysAgo(rng.int(0, 60))}T02:00:00.000Z`,
  };
  // A keying error the extract carries through: a date that is not one.
  if (row.DOB && rng.chance(0.003)) row.DOB = `31/02/${recorded.dateOfBirth!.slice(0, 4)}`;
  const attendance = rng.chance(0.15) ? rng.int(600, 899) / 10 : rng.int(900, 1000) / 10;
  row.AttendancePct = attendance.toFixed(1);
  row.PersistentAbsentee = attendance < 90 ? 'Y' : 'N';
  const suspended = rng.chance(year >= 7 ? 0.08 : 0.02);
  row.Suspensions = String(suspended ? rng.int(1, 3) : 0);
  if (suspended) row.LastSuspensionDate = ukDate(daysAgo(rng.int(5, 60)));
  const excluded = year >= 7 && rng.chance(0.004);
  row.PermanentlyExcluded = excluded ? 'Y' : 'N';
  if (excluded) row.ExclusionDate = ukDate(daysAgo(rng.int(5, 200)));
  const sen = rng.weighted({ none: 83, support: 13, plan: 4 });
  if (sen !== 'none') {
    row.SENProvision = sen === 'plan' ? 'E' : 'K';
    row.SENPrimaryNeed = rng.pick(needs);
    if (sen === 'plan') row.EHCPlanDate = ukDate(daysAgo(rng.int(60, 1500)));
  }
  const eligible = rng.chance(familyOnBenefits ? 0.9 : 0.06);
  row.FSMEligible = eligible ? 'Y' : 'N';
  if (eligible) {
    row.FSMEligibleFrom = ukDate(daysAgo(rng.int(30, 900)));
    row.FSMTakenUp = rng.chance(0.78) ? 'Y' : 'N';
  }
  if (rng.chance(0.005)) {
    row.CMEStatus = rng.pick(['Reported', 'Investigating']);
    row.CMEReportedDate = ukDate(daysAgo(rng.int(3, 90)));
    row.CMEReason = rng.pick(cmeReasons);
  }
  return row;
}

/** The sandbox's pupils, kept in its storage file; the extract is written from them on each request. */
export class EducationStore {
  private readonly writes = new WriteQueue();

  private constructor(
    private readonly file: string,
    private readonly data: EducationData,
  ) {}

  static async load(file: string): Promise<EducationStore> {
    return new EducationStore(file, await readJsonFile<EducationData>(file));
  }

  /** The nightly extract as the school information system writes it. */
  extract(): string {
    return stringify([
      [...extractColumns],
      ...this.data.pupils.map((p) => extractColumns.map((column) => p[column] ?? '')),
    ]);
  }

  upsert(record: Record<string, unknown>): PupilRow | undefined {
    if (typeof record.UPN !== 'string' || !record.UPN) return undefined;
    const row = Object.fromEntries(
      Object.entries(record).filter(([column]) => (extractColumns as readonly string[]).includes(column)),
    ) as PupilRow;
    const at = this.data.pupils.findIndex((p) => p.UPN === row.UPN);
    if (at >= 0) this.data.pupils[at] = row;
    else this.data.pupils.push(row);
    return row;
  }

  patch(key: string, changes: Record<string, unknown>): PupilRow | undefined {
    const row = this.data.pupils.find((p) => p.UPN === key);
    if (!row) return undefined;
    for (const [column, value] of Object.entries(changes))
      if ((extractColumns as readonly string[]).includes(column) && column !== 'UPN')
        (row as Record<string, string>)[column] = value === null || value === undefined ? '' : String(value);
    return row;
  }

  remove(key: string): boolean {
    const before = this.data.pupils.length;
    this.data.pupils = this.data.pupils.filter((p) => p.UPN !== key);
    return this.data.pupils.length < before;
  }

  save(): Promise<void> {
    return this.writes.run(() => writeJsonFile(this.file, this.data));
  }
}
