import { BoroughPerson, RecordedIdentity } from './borough-model';
import { nicknames } from './name-data';
import { SeededRandom } from './seeded-random';

/** How careless one source is with each field: probabilities of the errors real source data shows. */
export interface SourceHabits {
  nickname: number;
  nameTypo: number;
  keepsMiddleNames: number;
  /** Holds the family name from before a marriage (record never updated). */
  staleFamilyName: number;
  /** Records the earlier family name alongside the current one. */
  knowsPreviousName: number;
  missingDob: number;
  swappedDob: number;
  wrongYear: number;
  holdsNino: number;
  ninoTypo: number;
  invalidNino: number;
  /** Writes NINOs in lower case with spaces. */
  looseNinoFormat: number;
  holdsNhs: number;
  spacedNhs: number;
  nhsTypo: number;
  holdsContact: number;
}

const keyboardNeighbours: Record<string, string> = {
  a: 's',
  b: 'v',
  c: 'x',
  d: 's',
  e: 'r',
  f: 'g',
  g: 'h',
  h: 'j',
  i: 'o',
  j: 'k',
  k: 'l',
  l: 'k',
  m: 'n',
  n: 'm',
  o: 'p',
  p: 'o',
  q: 'w',
  r: 't',
  s: 'a',
  t: 'r',
  u: 'y',
  v: 'b',
  w: 'e',
  x: 'z',
  y: 'u',
  z: 'x',
};

/** One keying error: two letters swapped, one dropped, one doubled, or a neighbouring key. */
export function typo(rng: SeededRandom, value: string): string {
  if (value.length < 3) return value;
  const at = rng.int(1, value.length - 2);
  switch (rng.int(0, 3)) {
    case 0:
      return value.slice(0, at) + value[at + 1] + value[at] + value.slice(at + 2);
    case 1:
      return value.slice(0, at) + value.slice(at + 1);
    case 2:
      return value.slice(0, at) + value[at] + value.slice(at);
    default: {
      const neighbour = keyboardNeighbours[value[at].toLowerCase()] ?? value[at];
      return value.slice(0, at) + neighbour + value.slice(at + 1);
    }
  }
}

/** The person as a source with these habits recorded them at `addressId`. */
export function recordIdentity(
  rng: SeededRandom,
  person: BoroughPerson,
  habits: SourceHabits,
  addressId: string,
  adult: boolean,
): RecordedIdentity {
  let givenName = person.givenName;
  const forms = nicknames[givenName];
  if (forms && rng.chance(habits.nickname)) givenName = rng.pick(forms);
  if (rng.chance(habits.nameTypo)) givenName = typo(rng, givenName);
  let familyName = person.familyName;
  let previousFamilyNames: string[] | undefined;
  if (person.birthFamilyName) {
    if (rng.chance(habits.staleFamilyName)) familyName = person.birthFamilyName;
    else if (rng.chance(habits.knowsPreviousName)) previousFamilyNames = [person.birthFamilyName];
  }
  if (familyName.includes('-') && rng.chance(0.2))
    familyName = rng.chance(0.5) ? familyName.split('-')[0] : familyName.replace('-', ' ');
  if (rng.chance(habits.nameTypo)) familyName = typo(rng, familyName);

  const recorded: RecordedIdentity = { personId: person.id, givenName, familyName, addressId, sex: person.sex };
  if (person.middleNames && rng.chance(habits.keepsMiddleNames)) recorded.middleNames = person.middleNames;
  if (previousFamilyNames) recorded.previousFamilyNames = previousFamilyNames;
  if (!rng.chance(habits.missingDob)) recorded.dateOfBirth = recordedDob(rng, person.dateOfBirth, habits);
  if (rng.chance(0.01)) delete recorded.sex;
  if (person.nino && adult && rng.chance(habits.holdsNino)) recorded.nino = recordedNino(rng, person.nino, habits);
  if (rng.chance(habits.holdsNhs)) {
    let nhs = person.nhsNumber;
    if (rng.chance(habits.nhsTypo)) nhs = nhs.slice(0, 4) + String((Number(nhs[4]) + 1) % 10) + nhs.slice(5);
    recorded.nhsNumber = rng.chance(habits.spacedNhs) ? `${nhs.slice(0, 3)} ${nhs.slice(3, 6)} ${nhs.slice(6)}` : nhs;
  }
  if (person.phone && rng.chance(habits.holdsContact)) recorded.phone = person.phone;
  if (person.email && rng.chance(habits.holdsContact)) recorded.email = person.email;
  return recorded;
}

function recordedDob(rng: SeededRandom, iso: string, habits: SourceHabits): string {
  const [year, month, day] = iso.split('-');
  if (Number(day) <= 12 && day !== month && rng.chance(habits.swappedDob)) return `${year}-${day}-${month}`;
  if (rng.chance(habits.wrongYear)) return `${Number(year) + rng.pick([-1, 1])}-${month}-${day}`;
  return iso;
}

function recordedNino(rng: SeededRandom, nino: string, habits: SourceHabits): string {
  let value = nino;
  if (rng.chance(habits.ninoTypo)) {
    const at = rng.int(2, 7);
    value = value.slice(0, at) + String((Number(value[at]) + rng.int(1, 9)) % 10) + value.slice(at + 1);
  } else if (rng.chance(habits.invalidNino)) {
    // Not a NINO at all: a prefix HMRC never issues, or a digit lost.
    value = rng.chance(0.5) ? `${rng.pick(['D', 'F', 'Q', 'V'])}${value.slice(1)}` : value.slice(0, 5) + value.slice(6);
  }
  if (rng.chance(habits.looseNinoFormat))
    value =
      `${value.slice(0, 2)} ${value.slice(2, 4)} ${value.slice(4, 6)} ${value.slice(6, 8)} ${value.slice(8)}`.toLowerCase();
  return value;
}

export const housingHabits: SourceHabits = {
  nickname: 0.12,
  nameTypo: 0.03,
  keepsMiddleNames: 0.4,
  staleFamilyName: 0.15,
  knowsPreviousName: 0.1,
  missingDob: 0.04,
  swappedDob: 0.03,
  wrongYear: 0.01,
  holdsNino: 0.55,
  ninoTypo: 0.03,
  invalidNino: 0.015,
  looseNinoFormat: 0.3,
  holdsNhs: 0.02,
  spacedNhs: 0.5,
  nhsTypo: 0.01,
  holdsContact: 0.7,
};
export const benefitsHabits: SourceHabits = {
  nickname: 0.03,
  nameTypo: 0.015,
  keepsMiddleNames: 0.8,
  staleFamilyName: 0.03,
  knowsPreviousName: 0.3,
  missingDob: 0.005,
  swappedDob: 0.015,
  wrongYear: 0.005,
  holdsNino: 0.96,
  ninoTypo: 0.02,
  invalidNino: 0.01,
  looseNinoFormat: 0,
  holdsNhs: 0,
  spacedNhs: 0,
  nhsTypo: 0,
  holdsContact: 0.5,
};
export const careHabits: SourceHabits = {
  nickname: 0.1,
  nameTypo: 0.03,
  keepsMiddleNames: 0.6,
  staleFamilyName: 0.1,
  knowsPreviousName: 0.5,
  missingDob: 0.01,
  swappedDob: 0.02,
  wrongYear: 0.01,
  holdsNino: 0.25,
  ninoTypo: 0.03,
  invalidNino: 0.02,
  looseNinoFormat: 0.2,
  holdsNhs: 0.92,
  spacedNhs: 0.5,
  nhsTypo: 0.01,
  holdsContact: 0.6,
};
