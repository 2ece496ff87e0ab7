import { distance } from 'fastest-levenshtein';
import {
  buildComparisons,
  Comparison,
  EMAIL_LEVELS,
  FAMILY_LEVELS,
  freeIdentifierLevel,
  identifierLevel,
  NAME_LEVELS,
  nameLikeLocalPart,
} from './comparisons';
import { jaroWinkler } from './jaro-winkler';
import { shareNicknameGroup } from './nicknames';
import { prepareRecord } from './prepare';
import { bagDistance, damerauLevenshtein, isAdjacentTransposition, withinOneEdit, withinTypoDistance } from './text';
import { PreparedName, PreparedRecord } from './types';
import { IdentityFields } from '../../sources/identity-fields';

/**
 * The comparators skip work whose outcome cannot change a level (a similarity not computed where cheaper
 * checks decide, pairs rejected from their letters alone). Each such change is checked here against the
 * plain definition it replaced, written out below as it was, over grids of inputs that reach every level: a
 * shortcut that skips too much gives another level for some pair and fails.
 */

const comparisons = buildComparisons([]);
const byName = (name: string) => comparisons.find((c) => c.name === name) as Comparison;

/** The plain definitions (the comparators before their shortcuts). */
const reference = {
  withinTypoDistance(a: string, b: string): boolean {
    if (a === b) return true;
    const shorter = Math.min(a.length, b.length);
    if (shorter < 2) return false;
    const max = shorter >= 7 ? 2 : 1;
    const bag = bagDistance(a, b);
    if (bag === 0 && a[0] === b[0]) return true;
    return bag <= max && damerauLevenshtein(a, b, max) <= max;
  },
  metaphoneMatch(a: PreparedName, b: PreparedName): boolean {
    const [a1, a2] = a.metaphone;
    const [b1, b2] = b.metaphone;
    return (!!a1 && (a1 === b1 || a1 === b2)) || (!!a2 && (a2 === b1 || a2 === b2));
  },
  similarName(a: PreparedName | null, b: PreparedName | null): boolean {
    return (
      !!a && !!b && (a.key === b.key || reference.withinTypoDistance(a.key, b.key) || jaroWinkler(a.key, b.key) >= 0.88)
    );
  },
  namesSwapped(a: PreparedRecord, b: PreparedRecord): boolean {
    return reference.similarName(a.given, b.family) && reference.similarName(a.family, b.given);
  },
  usesMiddleName(a: PreparedRecord, b: PreparedRecord): boolean {
    if (!a.given || !b.middle || a.given.key.length <= 1 || !b.middle.tokens.includes(a.given.key)) return false;
    if (!a.middle) return true;
    const names = [...(b.given?.tokens ?? []), ...b.middle.tokens];
    return a.middle.tokens.every((t) => (t.length === 1 ? names.some((n) => n[0] === t) : names.includes(t)));
  },
  givenAgreement(a: PreparedRecord, b: PreparedRecord, ga: PreparedName, gb: PreparedName, jw: number): number {
    if (ga.key === gb.key) return 1;
    if (
      shareNicknameGroup(ga.nicknames, gb.nicknames) ||
      ga.first === gb.first ||
      reference.usesMiddleName(a, b) ||
      reference.usesMiddleName(b, a)
    )
      return 2;
    if (jw >= 0.92) return 3;
    if (reference.withinTypoDistance(ga.key, gb.key)) return 4;
    return 0;
  },
  familyPartOrPrevious(a: PreparedRecord, b: PreparedRecord): boolean {
    const key = (a.family as PreparedName).key;
    if (b.previousFamilies.includes(key) || b.familyParts.includes(key)) return true;
    for (const part of a.familyParts) if (b.familyParts.includes(part)) return true;
    return false;
  },
  familyAgreement(a: PreparedRecord, b: PreparedRecord, fa: PreparedName, fb: PreparedName, jw: number): number {
    if (fa.key === fb.key) return 1;
    if (reference.familyPartOrPrevious(a, b) || reference.familyPartOrPrevious(b, a)) return 2;
    if (jw >= 0.92) return 3;
    if (reference.withinTypoDistance(fa.key, fb.key)) return 4;
    return 0;
  },
  swappedPair(a: PreparedRecord, b: PreparedRecord, givenKnownApart: boolean, familyKnownApart: boolean): boolean {
    if (!a.given || !b.given || !a.family || !b.family) return false;
    if (!reference.namesSwapped(a, b)) return false;
    if (!givenKnownApart && reference.givenAgreement(a, b, a.given, b.given, jaroWinkler(a.given.key, b.given.key)))
      return false;
    return (
      familyKnownApart || !reference.familyAgreement(a, b, a.family, b.family, jaroWinkler(a.family.key, b.family.key))
    );
  },
  halfSwapped(one: PreparedRecord, other: PreparedRecord, field: 'given' | 'family'): boolean {
    const opposite = field === 'given' ? 'family' : 'given';
    const lone = (r: PreparedRecord) => r[field] !== null && r[opposite] === null;
    if (lone(one) && other[opposite]) return reference.similarName(one[field], other[opposite]);
    if (lone(other) && one[opposite]) return reference.similarName(other[field], one[opposite]);
    return false;
  },
  givenName(a: PreparedRecord, b: PreparedRecord): number {
    const ga = a.given;
    const gb = b.given;
    if (!ga || !gb) return 0;
    const jw = jaroWinkler(ga.key, gb.key);
    const agreement = reference.givenAgreement(a, b, ga, gb, jw);
    if (agreement) return agreement;
    if (reference.swappedPair(a, b, true, false)) return 5;
    if (reference.halfSwapped(a, b, 'given')) return 0;
    if (reference.metaphoneMatch(ga, gb)) return 6;
    if ((ga.key.length === 1 || gb.key.length === 1) && ga.key[0] === gb.key[0]) return 7;
    if (jw >= 0.8) return 8;
    return 9;
  },
  familyName(a: PreparedRecord, b: PreparedRecord): number {
    const fa = a.family;
    const fb = b.family;
    if (!fa || !fb) return 0;
    const jw = jaroWinkler(fa.key, fb.key);
    const agreement = reference.familyAgreement(a, b, fa, fb, jw);
    if (agreement) return agreement;
    if (reference.swappedPair(a, b, false, true)) return 0;
    if (reference.halfSwapped(a, b, 'family')) return 0;
    if (reference.metaphoneMatch(fa, fb)) return 5;
    if (jw >= 0.8) return 6;
    return 7;
  },
  dateOfBirth(a: PreparedRecord, b: PreparedRecord): number {
    const da = a.dob;
    const db = b.dob;
    if (!da || !db) return 0;
    const sameY = da.y === db.y;
    const sameM = da.m === db.m;
    const sameD = da.d === db.d;
    if (sameY && sameM && sameD) return 1;
    if (sameY && da.d === db.m && da.m === db.d) return 2;
    const yearSlip = sameY || Math.abs(da.y - db.y) <= 1 || withinOneEdit(String(da.y), String(db.y), distance);
    if (+sameY + +sameM + +sameD === 2 && yearSlip) return 3;
    return sameY ? 4 : 5;
  },
  identifierLevel(va: string | null, vb: string | null): number {
    if (!va || !vb) return 0;
    if (va === vb) return 1;
    if (isAdjacentTransposition(va, vb)) return 2;
    return withinOneEdit(va, vb, distance) ? 3 : 4;
  },
  email(a: PreparedRecord, b: PreparedRecord): number {
    const ea = a.email;
    const eb = b.email;
    if (!ea || !eb) return 0;
    if (ea.full === eb.full) return 1;
    const digitsOf = (x: string) => x.replace(/\D/g, '');
    if (Math.min(ea.full.length, eb.full.length) >= 6 && bagDistance(ea.full, eb.full) <= 2) {
      const d = damerauLevenshtein(ea.full, eb.full, 2);
      if (d <= 1 || (d === 2 && digitsOf(ea.local) === digitsOf(eb.local))) return 2;
    }
    if (ea.local === eb.local) return nameLikeLocalPart(ea.local, a, b) ? 4 : 3;
    const domainA = ea.full.slice(ea.local.length + 1);
    const domainB = eb.full.slice(eb.local.length + 1);
    const da = digitsOf(ea.local);
    const db = digitsOf(eb.local);
    if (
      domainA &&
      domainB &&
      (da === db || withinOneEdit(da, db, distance)) &&
      jaroWinkler(ea.local, eb.local) >= 0.88 &&
      jaroWinkler(domainA, domainB) >= 0.88
    )
      return 5;
    return 6;
  },
};

/** Every pair of the records, both ways round, whose level differs from the reference's. */
function differences(
  records: PreparedRecord[],
  name: string,
  expected: (a: PreparedRecord, b: PreparedRecord) => number,
  seen: Set<number>,
): string[] {
  const c = byName(name);
  const out: string[] = [];
  for (const a of records)
    for (const b of records) {
      const level = c.compare(a, b);
      seen.add(level);
      const want = expected(a, b);
      if (level !== want) out.push(`${a.id} / ${b.id}: ${c.levels[level]}, expected ${c.levels[want]}`);
    }
  return out;
}

// Names that reach every level both ways: exact, nicknames and middle names, close and typos (swapped
// letters, one edit, two on long names as Caitlin / Kaitlyn), swaps and half swaps, sound-alikes, initials, and names with no
// letter in common. Maryjxwvq / Maryjbcdf (Jaro-Winkler 0.822) and Kentomilxyz / Kentomilqvw (0.891, in a
// swap) are as alike as their letters allow, just above the 0.80 and 0.88 thresholds, with their letters'
// ceiling just above too: a looser ceiling or a higher floor sends them to another level.
const GIVEN = [
  'Robert',
  'Bob',
  'Robret',
  'R',
  'Jonathan',
  'Jonathon',
  'Stephen',
  'Stevan',
  'Kai',
  'Kia',
  'Amy',
  'Any',
  'Fox',
  'Olivia',
  'Caitlin',
  'Caigtlln',
  'Kaitlyn',
  'Dwayne',
  'Duane',
  'Maryjxwvq',
  'Maryjbcdf',
  'Kentomilxyz',
  'Hall',
  'Isla',
  'John Paul',
  undefined,
];
const FAMILY = [
  'Hall',
  'Isla',
  'Smith',
  'Schmidt',
  'Smith-Jones',
  'Harrington',
  'Harington',
  'Fox',
  'Fxo',
  'Cox',
  'Dixon',
  'Dicksonx',
  'Kentomilqvw',
  undefined,
];

function nameGrid(): PreparedRecord[] {
  const records: PreparedRecord[] = [];
  const add = (fields: IdentityFields) =>
    records.push(prepareRecord({ source: 's', id: JSON.stringify(fields), fields }));
  for (const givenName of GIVEN)
    for (const familyName of FAMILY) {
      add({ givenName, familyName });
      if (['John Paul', 'Olivia', 'Robert'].includes(givenName as string) && ['Hall', undefined].includes(familyName))
        add({ givenName, familyName, middleNames: 'Paul' });
    }
  add({ givenName: 'Paul', familyName: 'Hall' });
  add({ givenName: 'Isabella', middleNames: 'Olivia', familyName: 'Hall' });
  add({ givenName: 'Ann', familyName: 'Brown', previousFamilyNames: ['Smith'] });
  return records;
}

// Addresses that reach every email level: one or two slips (in the digits or not), the same local part at
// another domain (distinctive, or initials or names), both halves alike, different; lengths two and three
// apart, malformed addresses (no domain, a domain of one letter, no @).
const EMAILS = [
  'ella.palmer5@mail.com',
  'ellapalmer5@mail.com',
  'ellapalmer38@mail.com',
  'ella.palmer5@mial.com',
  'ella.palmr5@mail.com',
  'ella.palmer6@mail.com',
  'ella.palmer5@gmail.com',
  'ella.palmer5@mail.co.uk',
  'ellapalmer@mail.com',
  'dmacdonald@riverbank-glass.com',
  'dmacdoald@riverb-glass.siz',
  'dmacdonald3@riverbank-glass.co',
  'gabriel.t54@nichols.info',
  'gabriel.t54@gmail.com',
  'gabriel.t54@nnichls.info',
  'j.c@x.com',
  'j.c@y.org',
  'lbegum@x.com',
  'lbegum@y.org',
  'oliver.adams@x.com',
  'oliveradams22@x.com',
  'josmith@mailcom',
  'josmith@mail.com',
  'jo@smith@mail.com',
  'josmith.mail.com',
  'johnsmith@x',
  'jonsmythe@x',
  undefined,
];

describe('comparison shortcuts give the levels of the plain definitions', () => {
  const records = nameGrid();

  it('given name: every level, for every pair of the grid', () => {
    const seen = new Set<number>();
    expect(differences(records, 'givenName', reference.givenName, seen)).toEqual([]);
    expect([...seen].sort((x, y) => x - y)).toEqual(NAME_LEVELS.map((_, l) => l));
  });

  it('family name: every level, for every pair of the grid', () => {
    const seen = new Set<number>();
    expect(differences(records, 'familyName', reference.familyName, seen)).toEqual([]);
    expect([...seen].sort((x, y) => x - y)).toEqual(FAMILY_LEVELS.map((_, l) => l));
  });

  it('email: every level, for every pair of addresses and names', () => {
    const people = [{}, { givenName: 'Lina', familyName: 'Begum' }, { givenName: 'Ella', familyName: 'Palmer' }];
    const emails = EMAILS.flatMap((email) =>
      people.map((names) =>
        prepareRecord({ source: 's', id: `${email} ${JSON.stringify(names)}`, fields: { ...names, email } }),
      ),
    );
    const seen = new Set<number>();
    expect(differences(emails, 'email', reference.email, seen)).toEqual([]);
    expect([...seen].sort((x, y) => x - y)).toEqual(EMAIL_LEVELS.map((_, l) => l));
  });

  it('identifiers: one pass gives the levels of the transposition and one-edit checks, for every pair of slips', () => {
    // A value and its slips: each character replaced, each pair of neighbours swapped (equal neighbours
    // too), two characters replaced apart and side by side, a character dropped or added, and other lengths.
    const base = 'AB1223456C';
    const values = new Set<string>([base, 'AB123456C', 'AB12234567C', 'X', 'ZZ9999999Z']);
    for (let i = 0; i < base.length; i++) {
      values.add(`${base.slice(0, i)}9${base.slice(i + 1)}`);
      values.add(`${base.slice(0, i)}${base.slice(i + 1)}`);
      values.add(`${base.slice(0, i)}7${base.slice(i)}`);
      if (i + 1 < base.length) {
        values.add(`${base.slice(0, i)}${base[i + 1]}${base[i]}${base.slice(i + 2)}`);
        values.add(`${base.slice(0, i)}98${base.slice(i + 2)}`);
        values.add(`${base.slice(0, i)}${base[i + 1]}9${base.slice(i + 2)}`);
      }
      if (i + 3 < base.length) values.add(`${base.slice(0, i)}9${base.slice(i + 1, i + 3)}9${base.slice(i + 3)}`);
    }
    const all = [...values, null];
    const wrong: string[] = [];
    const seen = new Set<number>();
    for (const a of all)
      for (const b of all) {
        const level = identifierLevel(a, b);
        seen.add(level);
        if (level !== reference.identifierLevel(a, b)) wrong.push(`${a} / ${b}`);
        const graded = reference.identifierLevel(a, b);
        const free =
          graded < 4
            ? graded
            : damerauLevenshtein(a as string, b as string, 2) > 2 ||
                ((a as string).length === (b as string).length &&
                  [...(a as string)].filter((c, k) => c !== (b as string)[k]).length === 2)
              ? 5
              : 4;
        if (freeIdentifierLevel(a, b) !== free) wrong.push(`free: ${a} / ${b}`);
      }
    expect(wrong).toEqual([]);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('date of birth: every level, for every pair of dates (years a keystroke, a year or more apart)', () => {
    const years = ['1971', '1917', '1972', '1979', '1980', '2071', '2002', '0971'];
    const days = ['06-24', '06-04', '04-06', '05-24', '06-25', '01-02', '12-12'];
    const dates = [...years.flatMap((y) => days.map((d) => `${y}-${d}`)), undefined].map((dateOfBirth) =>
      prepareRecord({ source: 's', id: String(dateOfBirth), fields: { dateOfBirth } }),
    );
    const seen = new Set<number>();
    expect(differences(dates, 'dateOfBirth', reference.dateOfBirth, seen)).toEqual([]);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('typing distance: the same answer for every pair of names, letters swapped, added or dropped', () => {
    const words = [...GIVEN, ...FAMILY, 'ab', 'ba', 'abc', 'abcd', 'abdc', 'a', 'caitlinn', 'catlin', 'aitlinc']
      .filter((w): w is string => !!w)
      .map((w) => w.toLowerCase().replace(/[^a-z]/g, ''));
    const wrong: string[] = [];
    let within = 0;
    for (const a of words)
      for (const b of words) {
        const want = reference.withinTypoDistance(a, b);
        if (want && a !== b) within++;
        if (withinTypoDistance(a, b) !== want) wrong.push(`${a} / ${b}`);
      }
    expect(wrong).toEqual([]);
    expect(within).toBeGreaterThan(20);
  });
});
