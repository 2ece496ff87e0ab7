/**
 * Seeded stand-ins for the held-out public datasets of issue #19 (which are not in the repository), written
 * with their ground truth for `bench:match`. Nothing is read from ../shared/eval: the people are drawn from
 * the name, street and town lists below, and the duplicates are corrupted here, one error kind at a time,
 * so each kind the issue lists can be measured on its own pairs:
 *
 * - `febrl-dedupe`: 5,000 FEBRL-style records (2,000 originals, 3,000 duplicates, up to five of one
 *   original), with an identifier column (`soc_sec_id`) and measured again without it;
 * - `febrl-link`: two FEBRL-style files of 5,000, each original in one and one duplicate in the other;
 * - `fake-people`: 20,000 Splink-style records (first name, surname, date of birth, city, email) with heavy
 *   corruption and many blanks, plus people made to be confused with others: names swapped with another
 *   person's and a different date of birth and city, initials-only email local parts at other domains;
 * - `households`: FEBRL-style records of households without identifiers (spouses, children, twins, a
 *   father and namesake son), which must not merge.
 *
 * Error kinds (each duplicate gets one to five, at most two per field): typing slips (insert, delete,
 * substitute, swap adjacent), short-name slips (kai / kia, amy / any), OCR and phonetic variants, blanks,
 * given and family names swapped, day and month swapped, a date component off, an identifier with one typo,
 * malformed emails (a space, a missing dot, a doubled @), sparse records (two or three fields left).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../src/identity/matching/random';

const MALE = [
  'jack',
  'james',
  'thomas',
  'william',
  'joshua',
  'lachlan',
  'liam',
  'ethan',
  'samuel',
  'daniel',
  'ryan',
  'benjamin',
  'matthew',
  'luke',
  'harrison',
  'noah',
  'oliver',
  'cooper',
  'lucas',
  'jayden',
  'kai',
  'eli',
  'ian',
  'leo',
  'max',
  'sam',
  'tom',
  'ben',
  'zac',
  'jai',
  'ari',
  'rhys',
  'owen',
  'adam',
  'mark',
  'paul',
  'john',
  'peter',
  'david',
  'michael',
  'andrew',
  'robert',
  'stephen',
  'christopher',
  'nicholas',
  'alexander',
  'callum',
  'dylan',
  'mitchell',
  'jordan',
  'tyler',
  'connor',
  'blake',
  'riley',
  'jake',
  'nathan',
  'aaron',
  'patrick',
  'hamish',
  'angus',
  'fraser',
  'brodie',
  'declan',
  'jesse',
  'isaac',
  'caleb',
  'levi',
  'felix',
  'hugo',
  'ivan',
  'omar',
  'raj',
  'arjun',
  'wei',
  'minh',
  'theo',
  'archie',
  'ruben',
  'elliot',
  'george',
];
const FEMALE = [
  'emily',
  'chloe',
  'olivia',
  'sophie',
  'jessica',
  'charlotte',
  'ella',
  'isabella',
  'sarah',
  'emma',
  'grace',
  'hannah',
  'mia',
  'amy',
  'ava',
  'zoe',
  'ivy',
  'eve',
  'amber',
  'esme',
  'lily',
  'ruby',
  'kate',
  'jade',
  'leah',
  'erin',
  'tara',
  'abby',
  'anna',
  'lucy',
  'holly',
  'megan',
  'lauren',
  'rebecca',
  'rachel',
  'laura',
  'michelle',
  'nicole',
  'kirsty',
  'kayla',
  'brooke',
  'caitlin',
  'madison',
  'georgia',
  'alyssa',
  'tahlia',
  'jasmine',
  'bella',
  'matilda',
  'phoebe',
  'scarlett',
  'imogen',
  'eliza',
  'freya',
  'elise',
  'maya',
  'nina',
  'rosa',
  'alana',
  'bianca',
  'claire',
  'diana',
  'fiona',
  'gemma',
  'helen',
  'irene',
  'joanne',
  'karen',
  'linda',
  'maria',
  'nadia',
  'paige',
  'priya',
  'mei',
  'thi',
  'aisha',
  'fatima',
  'tegan',
  'kiara',
  'india',
];
const SURNAMES = [
  'smith',
  'jones',
  'williams',
  'brown',
  'wilson',
  'taylor',
  'johnson',
  'white',
  'martin',
  'anderson',
  'thompson',
  'nguyen',
  'thomas',
  'walker',
  'harris',
  'lee',
  'ryan',
  'robinson',
  'kelly',
  'king',
  'davis',
  'wright',
  'evans',
  'roberts',
  'green',
  'hall',
  'wood',
  'jackson',
  'clarke',
  'patel',
  'khan',
  'lewis',
  'james',
  'phillips',
  'mitchell',
  'campbell',
  'young',
  'allen',
  'scott',
  'baker',
  'morgan',
  'edwards',
  'stewart',
  'turner',
  'hill',
  'murphy',
  'cook',
  'owen',
  'ellis',
  'hughes',
  'price',
  'russell',
  'griffiths',
  'grant',
  'fraser',
  'george',
  'henry',
  'mason',
  'cole',
  'reid',
  'ross',
  'shaw',
  'webb',
  'hunt',
  'dean',
  'fox',
  'kaur',
  'singh',
  'begum',
  'ali',
  'tran',
  'le',
  'pham',
  'ng',
  'chen',
  'wang',
  'li',
  'zhang',
  'rossi',
  'russo',
  'costa',
  'papadopoulos',
  'kowalski',
  'novak',
  'oconnor',
  'obrien',
  'mcdonald',
  'mackenzie',
  'fitzgerald',
  'sutherland',
  'macleod',
  'vandenberg',
  'dimitriou',
  'nikolaidis',
  'gallagher',
  'donnelly',
  'mcintyre',
  'abernethy',
  'blackwood',
  'cartwright',
  'whitfield',
  'lancaster',
  'ashworth',
  'pemberton',
];
const SYLLABLES = [
  'bar',
  'cal',
  'den',
  'dor',
  'el',
  'far',
  'gil',
  'han',
  'kel',
  'lan',
  'mar',
  'nor',
  'ock',
  'pen',
  'ran',
  'sel',
  'tor',
  'van',
  'wel',
  'ber',
  'son',
  'ley',
  'ton',
  'by',
  'worth',
  'field',
  'ham',
  'ford',
  'ridge',
  'more',
];
const STREETS = [
  'forbes',
  'tullaroop',
  'giblin',
  'milne',
  'macquarie',
  'hoddle',
  'bourke',
  'collins',
  'flinders',
  'swanston',
  'george',
  'pitt',
  'elizabeth',
  'hunter',
  'kent',
  'sussex',
  'clarence',
  'york',
  'king',
  'queen',
  'william',
  'church',
  'station',
  'railway',
  'park',
  'victoria',
  'albert',
  'bridge',
  'river',
  'hill',
  'high',
  'mountain',
  'ocean',
  'beach',
  'banksia',
  'wattle',
  'acacia',
  'jacaranda',
  'boronia',
  'kurrajong',
  'currawong',
  'lyrebird',
  'kookaburra',
  'waratah',
  'grevillea',
];
const STREET_TYPES = [
  'street',
  'road',
  'avenue',
  'place',
  'crescent',
  'close',
  'court',
  'drive',
  'circuit',
  'parade',
  'way',
  'lane',
  'terrace',
  'cove',
];
const PLACES = [
  'wintersloe',
  'wellwod',
  'killarney',
  'willaroo',
  'rosedale',
  'glenview',
  'hillcrest',
  'woodlands',
  'bellevue',
  'oakleigh',
  'kingsford',
  'brighton park',
  'the oaks',
  'riverside',
  'sunnybank',
  'greenvale',
  'fairview',
  'lakeside',
  'mount view',
  'highgate',
];
const SUBURBS = [
  'kellerberrin',
  'beaconsfield upper',
  'st james',
  'bittern',
  'toowoomba',
  'ballarat',
  'bendigo',
  'geelong',
  'wagga wagga',
  'dubbo',
  'orange',
  'bathurst',
  'tamworth',
  'armidale',
  'lismore',
  'mackay',
  'cairns',
  'townsville',
  'bundaberg',
  'gladstone',
  'rockhampton',
  'mildura',
  'shepparton',
  'warrnambool',
  'albury',
  'goulburn',
  'queanbeyan',
  'nowra',
  'kiama',
  'gosford',
  'maitland',
  'cessnock',
  'penrith',
  'parramatta',
  'hornsby',
  'manly',
  'bondi',
  'fremantle',
  'bunbury',
  'geraldton',
  'kalgoorlie',
  'launceston',
  'devonport',
  'burnie',
  'hobart',
  'glenorchy',
  'palmerston',
  'alice springs',
  'katherine',
  'mount gambier',
];
const STATES = ['nsw', 'vic', 'qld', 'wa', 'sa', 'tas', 'act', 'nt'];
const CITIES = [
  'london',
  'birmingham',
  'manchester',
  'leeds',
  'glasgow',
  'sheffield',
  'bradford',
  'liverpool',
  'edinburgh',
  'bristol',
  'cardiff',
  'leicester',
  'coventry',
  'hull',
  'nottingham',
  'newcastle',
  'southampton',
  'portsmouth',
  'plymouth',
  'derby',
  'stoke',
  'wolverhampton',
  'swansea',
  'aberdeen',
  'norwich',
  'york',
  'oxford',
  'cambridge',
  'exeter',
  'bath',
];
const TLDS = ['com', 'net', 'org', 'info', 'co.uk'];
const NICKNAMES: Record<string, string> = {
  robert: 'rob',
  william: 'will',
  thomas: 'tom',
  james: 'jim',
  samuel: 'sam',
  benjamin: 'ben',
  matthew: 'matt',
  michael: 'mike',
  christopher: 'chris',
  nicholas: 'nick',
  alexander: 'alex',
  daniel: 'dan',
  joshua: 'josh',
  stephen: 'steve',
  andrew: 'andy',
  jessica: 'jess',
  rebecca: 'becky',
  isabella: 'bella',
  charlotte: 'lottie',
  elizabeth: 'liz',
  olivia: 'liv',
  abigail: 'abby',
  katherine: 'kate',
  madison: 'maddy',
  nicole: 'nikki',
};
/** Neighbouring keys on a QWERTY keyboard, for substitutions and insertions. */
const KEYBOARD: Record<string, string> = {
  a: 'qwsz',
  b: 'vghn',
  c: 'xdfv',
  d: 'serfcx',
  e: 'wsdr',
  f: 'drtgvc',
  g: 'ftyhbv',
  h: 'gyujnb',
  i: 'ujko',
  j: 'huikmn',
  k: 'jiolm',
  l: 'kop',
  m: 'njk',
  n: 'bhjm',
  o: 'iklp',
  p: 'ol',
  q: 'wa',
  r: 'edft',
  s: 'awedxz',
  t: 'rfgy',
  u: 'yhji',
  v: 'cfgb',
  w: 'qase',
  x: 'zsdc',
  y: 'tghu',
  z: 'asx',
  '0': '9',
  '1': '2',
  '2': '13',
  '3': '24',
  '4': '35',
  '5': '46',
  '6': '57',
  '7': '68',
  '8': '79',
  '9': '80',
};
const OCR: [string, string][] = [
  ['m', 'rn'],
  ['l', 'i'],
  ['o', '0'],
  ['e', 'c'],
  ['h', 'b'],
  ['u', 'v'],
  ['g', 'q'],
  ['5', 's'],
  ['1', 'l'],
  ['8', 'b'],
];
const PHONETIC: [string, string][] = [
  ['ph', 'f'],
  ['ck', 'k'],
  ['c', 'k'],
  ['ie', 'y'],
  ['ee', 'ea'],
  ['s', 'z'],
  ['ou', 'ow'],
  ['ay', 'ai'],
  ['mac', 'mc'],
  ['th', 't'],
  ['gh', 'g'],
  ['wh', 'w'],
  ['ll', 'l'],
  ['tt', 't'],
  ['nn', 'n'],
];

export interface HeldoutSet {
  name: string;
  /** What the set stands in for (issue #19's table). */
  standsFor: string;
  inputs: string[];
  mapping: string;
  /** Arguments of `eval` that give the truth. */
  truthArgs: string[];
  /** The shared scorer's --truth argument, for the first input only (FEBRL sets: all inputs, see bench). */
  truth: string;
  /** Person pairs that must never share a cluster (households set). */
  mustStayApart?: { kind: 'twins' | 'sr-jr'; a: string; b: string }[];
}

type Rnd = () => number;

class Corruptor {
  constructor(readonly rnd: Rnd) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)];
  }

  chance(p: number): boolean {
    return this.rnd() < p;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  /** One typing slip: insert, delete, substitute (a neighbouring key) or swap two adjacent characters. */
  typo(s: string): string {
    if (!s) return s;
    const i = Math.floor(this.rnd() * s.length);
    const c = s[i];
    const near = KEYBOARD[c.toLowerCase()] ?? 'aeiou';
    switch (this.int(0, 3)) {
      case 0:
        return s.slice(0, i) + this.pick([...near]) + s.slice(i);
      case 1:
        return s.length > 2 ? s.slice(0, i) + s.slice(i + 1) : s + this.pick([...near]);
      case 2:
        return s.slice(0, i) + this.pick([...near]) + s.slice(i + 1);
      default: {
        if (s.length < 2) return s + s;
        const j = Math.min(i, s.length - 2);
        return s.slice(0, j) + s[j + 1] + s[j] + s.slice(j + 2);
      }
    }
  }

  /** A slip in a short name: two letters swapped or one replaced (kai / kia, amy / any). */
  shortSlip(s: string): string {
    if (s.length < 3) return this.typo(s);
    const j = this.int(1, s.length - 2);
    if (this.chance(0.6) && s[j] !== s[j + 1]) return s.slice(0, j) + s[j + 1] + s[j] + s.slice(j + 2);
    return s.slice(0, j) + this.pick([...(KEYBOARD[s[j]] ?? 'aeiou')]) + s.slice(j + 1);
  }

  ocr(s: string): string {
    const options = OCR.filter(([a, b]) => s.includes(a) || s.includes(b));
    if (!options.length) return this.typo(s);
    const [a, b] = this.pick(options);
    return s.includes(a) ? s.replace(a, b) : s.replace(b, a);
  }

  phonetic(s: string): string {
    const options = PHONETIC.filter(([a, b]) => s.includes(a) || s.includes(b));
    if (!options.length) return this.typo(s);
    const [a, b] = this.pick(options);
    return s.includes(a) ? s.replace(a, b) : s.replace(b, a);
  }

  /** A name slip of a random kind; short names get the short-name slip half the time. */
  nameSlip(s: string): string {
    if (s.length <= 4 && this.chance(0.5)) return this.shortSlip(s);
    const r = this.rnd();
    return r < 0.6 ? this.typo(s) : r < 0.8 ? this.phonetic(s) : this.ocr(s);
  }

  /** yyyymmdd with a slip: day and month swapped, a component off, or a digit typed wrong. */
  dateSlip(y: number, m: number, d: number): [number, number, number] {
    const r = this.rnd();
    if (r < 0.25 && d <= 12 && d !== m) return [y, d, m];
    if (r < 0.5) return [y, m, clampDay(d + this.pick([-1, 1, -2, 2, 10, -10]))];
    if (r < 0.7) return [y, clampMonth(m + this.pick([-1, 1])), d];
    if (r < 0.9) return [y + this.pick([-1, 1, -10, 10]), m, d];
    return [y, m, clampDay(Number(this.typo(String(d).padStart(2, '0')).replace(/\D/g, '').slice(0, 2)) || d)];
  }

  /** A digit string with one slip: a digit replaced, or two adjacent digits swapped. */
  digitSlip(s: string): string {
    const i = this.int(0, s.length - 2);
    if (this.chance(0.5) && s[i] !== s[i + 1]) return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
    return s.slice(0, i) + String((Number(s[i]) + this.int(1, 9)) % 10) + s.slice(i + 1);
  }

  /** An email mangled as people and forms mangle them. */
  emailSlip(e: string): string {
    const at = e.indexOf('@');
    const r = this.rnd();
    if (r < 0.15) return `${e.slice(0, at)} ${e.slice(at)}`; // a space before the @
    if (r < 0.3) return e.replace(/\.(?=[a-z]+$)/, ''); // the dot before the top-level domain lost
    if (r < 0.4) return `${e.slice(0, at)}@${e.slice(at + 1).replace('.', '@.')}`; // a doubled @
    if (r < 0.7) return this.typo(e.slice(0, at)) + e.slice(at);
    return e.slice(0, at + 1) + this.typo(e.slice(at + 1));
  }
}

const clampDay = (d: number) => Math.min(28, Math.max(1, d));
const clampMonth = (m: number) => Math.min(12, Math.max(1, m));
const pad = (n: number) => String(n).padStart(2, '0');

interface FebrlPerson {
  given: string;
  surname: string;
  streetNumber: string;
  address1: string;
  address2: string;
  suburb: string;
  postcode: string;
  state: string;
  dob: [number, number, number];
  ssn: string;
}

const FEBRL_FIELDS = [
  'given',
  'surname',
  'streetNumber',
  'address1',
  'address2',
  'suburb',
  'postcode',
  'state',
  'dob',
  'ssn',
] as const;
type FebrlField = (typeof FEBRL_FIELDS)[number];
/** How often each field is chosen for a modification (names and date most, state least). */
const FIELD_WEIGHTS: Record<FebrlField, number> = {
  given: 0.17,
  surname: 0.17,
  streetNumber: 0.07,
  address1: 0.12,
  address2: 0.07,
  suburb: 0.1,
  postcode: 0.08,
  state: 0.04,
  dob: 0.12,
  ssn: 0.06,
};

function febrlPerson(c: Corruptor, usedSsn: Set<string>): FebrlPerson {
  const female = c.chance(0.5);
  const zipf = <T>(xs: readonly T[]) => xs[Math.min(xs.length - 1, Math.floor(xs.length * Math.pow(c.rnd(), 1.8)))];
  const surname = c.chance(0.3)
    ? c.pick(SYLLABLES) + c.pick(SYLLABLES) + (c.chance(0.4) ? c.pick(SYLLABLES) : '')
    : zipf(SURNAMES);
  let ssn = '';
  do ssn = String(c.int(1000000, 9999999));
  while (usedSsn.has(ssn));
  usedSsn.add(ssn);
  return {
    given: zipf(female ? FEMALE : MALE),
    surname,
    streetNumber: String(c.chance(0.7) ? c.int(1, 99) : c.int(100, 999)),
    address1: `${c.pick(STREETS)} ${c.pick(STREET_TYPES)}`,
    address2: c.chance(0.5) ? c.pick(PLACES) : '',
    suburb: c.pick(SUBURBS),
    postcode: String(c.int(2000, 7999)),
    state: c.pick(STATES),
    dob: [c.int(1910, 2005), c.int(1, 12), c.int(1, 28)],
    ssn,
  };
}

function febrlDuplicate(
  c: Corruptor,
  p: FebrlPerson,
  modifications: number,
  allNames: { given: string[]; surname: string[] },
): FebrlPerson {
  const d: FebrlPerson = { ...p, dob: [...p.dob] as [number, number, number] };
  const perField = new Map<FebrlField, number>();
  const chooseField = (): FebrlField => {
    for (;;) {
      let r = c.rnd();
      let f: FebrlField = 'given';
      for (const k of FEBRL_FIELDS) {
        r -= FIELD_WEIGHTS[k];
        if (r <= 0) {
          f = k;
          break;
        }
      }
      if ((perField.get(f) ?? 0) < 2) return f;
    }
  };
  for (let i = 0; i < modifications; i++) {
    const f = chooseField();
    perField.set(f, (perField.get(f) ?? 0) + 1);
    const r = c.rnd();
    if (r < 0.1) {
      if (f === 'dob') d.dob = [0, 0, 0];
      else d[f] = '';
      continue;
    }
    switch (f) {
      case 'given':
      case 'surname':
        if (r < 0.16) {
          // Given and family names swapped.
          [d.given, d.surname] = [d.surname, d.given];
        } else if (r < 0.2) {
          // Replaced by another name: a clerk's mistake, or the name a person is known by.
          d[f] = f === 'given' ? (NICKNAMES[d.given] ?? c.pick(allNames.given)) : c.pick(allNames.surname);
        } else d[f] = c.nameSlip(d[f]);
        break;
      case 'dob':
        if (d.dob[0]) d.dob = c.dateSlip(...d.dob);
        break;
      case 'ssn':
        if (d.ssn) d.ssn = c.digitSlip(d.ssn);
        break;
      case 'streetNumber':
      case 'postcode':
        if (d[f]) d[f] = c.chance(0.5) ? c.digitSlip(d[f].length > 1 ? d[f] : `${d[f]}0`) : c.typo(d[f]);
        break;
      default:
        if (d[f]) d[f] = c.chance(0.7) ? c.typo(d[f]) : c.chance(0.5) ? c.ocr(d[f]) : c.phonetic(d[f]);
    }
  }
  return d;
}

const FEBRL_HEADER =
  'rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id';

function febrlRow(id: string, p: FebrlPerson): string {
  const dob = p.dob[0] ? `${p.dob[0]}${pad(p.dob[1])}${pad(p.dob[2])}` : '';
  return [id, p.given, p.surname, p.streetNumber, p.address1, p.address2, p.suburb, p.postcode, p.state, dob, p.ssn]
    .map((v) => (v ? ` ${v}` : ' '))
    .join(',')
    .slice(1);
}

/** A sparse copy: two or three of its identifying fields kept, the rest blank. */
function sparse(c: Corruptor, p: FebrlPerson): FebrlPerson {
  const keep = new Set<string>(['surname']);
  keep.add(c.pick(['given', 'dob']));
  if (c.chance(0.6)) keep.add(c.pick(['dob', 'suburb', 'address1', 'given']));
  return {
    given: keep.has('given') ? p.given : '',
    surname: p.surname,
    streetNumber: keep.has('address1') ? p.streetNumber : '',
    address1: keep.has('address1') ? p.address1 : '',
    address2: '',
    suburb: keep.has('suburb') ? p.suburb : '',
    postcode: '',
    state: '',
    dob: keep.has('dob') ? p.dob : [0, 0, 0],
    ssn: '',
  };
}

function writeFebrlDedupe(dir: string, seed: number, allNames: { given: string[]; surname: string[] }): string {
  const c = new Corruptor(seededRandom(seed));
  const used = new Set<string>();
  const rows: string[] = [];
  const originals = 2000;
  const duplicates = 3000;
  const people = Array.from({ length: originals }, () => febrlPerson(c, used));
  // Up to five duplicates per original, Zipf-like (most originals have one or two).
  const counts: number[] = Array.from({ length: originals }, () => 0);
  for (let placed = 0; placed < duplicates;) {
    const i = Math.floor(originals * Math.pow(c.rnd(), 1.3));
    if (counts[i] < 5) {
      counts[i]++;
      placed++;
    }
  }
  people.forEach((p, i) => {
    rows.push(febrlRow(`rec-${i}-org`, p));
    for (let k = 0; k < counts[i]; k++) {
      const dup = c.chance(0.04) ? sparse(c, p) : febrlDuplicate(c, p, c.int(1, 5), allNames);
      rows.push(febrlRow(`rec-${i}-dup-${k}`, dup));
    }
  });
  shuffle(c, rows);
  const path = join(dir, 'febrl-dedupe.csv');
  writeFileSync(path, `${FEBRL_HEADER}\n${rows.join('\n')}\n`);
  return path;
}

function writeFebrlLink(dir: string, seed: number, allNames: { given: string[]; surname: string[] }): [string, string] {
  const c = new Corruptor(seededRandom(seed));
  const used = new Set<string>();
  const a: string[] = [];
  const b: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const p = febrlPerson(c, used);
    a.push(febrlRow(`rec-${i}-org`, p));
    b.push(febrlRow(`rec-${i}-dup-0`, febrlDuplicate(c, p, c.int(1, 5), allNames)));
  }
  shuffle(c, a);
  shuffle(c, b);
  const pa = join(dir, 'febrl-link-a.csv');
  const pb = join(dir, 'febrl-link-b.csv');
  writeFileSync(pa, `${FEBRL_HEADER}\n${a.join('\n')}\n`);
  writeFileSync(pb, `${FEBRL_HEADER}\n${b.join('\n')}\n`);
  return [pa, pb];
}

/**
 * Households without identifiers: two parents (one family name), one to three children; some twins (same
 * date of birth, different given names), some sons named after their fathers. Each person has one to three
 * records, as the FEBRL duplicates; a person id in `rec_id` (`rec-P-...`) is the truth.
 */
function writeHouseholds(
  dir: string,
  seed: number,
  allNames: { given: string[]; surname: string[] },
  count: number,
): { path: string; mustStayApart: NonNullable<HeldoutSet['mustStayApart']> } {
  const c = new Corruptor(seededRandom(seed));
  const used = new Set<string>();
  const rows: string[] = [];
  const mustStayApart: NonNullable<HeldoutSet['mustStayApart']> = [];
  let next = 0;
  const emit = (p: FebrlPerson) => {
    const id = next++;
    rows.push(febrlRow(`rec-${id}-org`, { ...p, ssn: '' }));
    const copies = c.int(0, 2);
    for (let k = 0; k < copies; k++)
      rows.push(febrlRow(`rec-${id}-dup-${k}`, { ...febrlDuplicate(c, p, c.int(1, 3), allNames), ssn: '' }));
    return id;
  };
  for (let h = 0; h < count; h++) {
    const father = febrlPerson(c, used);
    father.given = c.pick(MALE);
    father.dob = [c.int(1930, 1975), c.int(1, 12), c.int(1, 28)];
    const mother: FebrlPerson = {
      ...father,
      given: c.pick(FEMALE),
      dob: [father.dob[0] + c.int(-4, 4), c.int(1, 12), c.int(1, 28)],
    };
    const fatherId = emit(father);
    emit(mother);
    const children = c.int(0, 3);
    const bornFrom = Math.max(father.dob[0], mother.dob[0]) + 20;
    for (let k = 0; k < children; k++) {
      const namesake = k === 0 && c.chance(0.15);
      const child: FebrlPerson = {
        ...father,
        given: namesake ? father.given : c.pick(c.chance(0.5) ? MALE : FEMALE),
        dob: [bornFrom + c.int(0, 15), c.int(1, 12), c.int(1, 28)],
      };
      const childId = emit(child);
      if (namesake) mustStayApart.push({ kind: 'sr-jr', a: String(fatherId), b: String(childId) });
      if (c.chance(0.1)) {
        let twinName = c.pick(c.chance(0.5) ? MALE : FEMALE);
        while (twinName === child.given) twinName = c.pick(FEMALE);
        const twinId = emit({ ...child, given: twinName });
        mustStayApart.push({ kind: 'twins', a: String(childId), b: String(twinId) });
      }
    }
  }
  shuffle(c, rows);
  const path = join(dir, 'households.csv');
  writeFileSync(path, `${FEBRL_HEADER}\n${rows.join('\n')}\n`);
  return { path, mustStayApart };
}

interface FakePerson {
  first: string;
  surname: string;
  dob: [number, number, number];
  city: string;
  email: string;
}

/** Email as a person makes one: initials, names and digits, at a made-up domain. */
function fakeEmail(c: Corruptor, first: string, surname: string): string {
  const n = c.chance(0.6) ? String(c.int(1, 99)) : '';
  const local = c.pick([
    `${first}${n}`,
    `${first}.${surname}${n}`,
    `${first}${surname}${n}`,
    `${first[0]}.${surname}${n}`,
    `${first[0]}${surname}${n}`,
    `${first}.${surname[0]}${n}`,
    `${first}${surname[0]}${n}`,
    `${first[0]}.${surname[0]}${n}`,
    `${first[0]}${surname[0]}${n}`,
  ]);
  const domain = c.chance(0.5) ? `${c.pick(SURNAMES)}-${c.pick(SURNAMES)}` : c.pick(SURNAMES);
  return `${local}@${domain}.${c.pick(TLDS)}`;
}

function fakeRecord(c: Corruptor, p: FakePerson, allNames: { given: string[]; surname: string[] }): FakePerson {
  const r: FakePerson = { ...p, dob: [...p.dob] as [number, number, number] };
  // Each field is blank, corrupted or kept; the date of birth is never blank in this style.
  if (c.chance(0.17)) r.first = '';
  else if (c.chance(0.15)) r.first = c.nameSlip(r.first);
  else if (c.chance(0.05)) r.first = NICKNAMES[r.first] ?? r.first;
  if (c.chance(0.18)) r.surname = '';
  else if (c.chance(0.15)) r.surname = c.nameSlip(r.surname);
  if (c.chance(0.05) && r.first && r.surname) [r.first, r.surname] = [r.surname, r.first];
  if (c.chance(0.45)) r.dob = c.dateSlip(...r.dob);
  if (c.chance(0.04)) r.dob = [r.dob[0] + c.pick([-12, 12, -9, 9]), c.int(1, 12), c.int(1, 28)];
  if (c.chance(0.19)) r.city = '';
  else if (c.chance(0.2)) r.city = c.nameSlip(r.city);
  if (c.chance(0.21)) r.email = '';
  else if (c.chance(0.2)) r.email = c.emailSlip(r.email);
  // Sparse: only two or three fields left.
  if (c.chance(0.04)) {
    r.city = '';
    r.email = '';
    if (c.chance(0.5)) r.first = '';
  }
  void allNames;
  return r;
}

function writeFakePeople(dir: string, seed: number): string {
  const c = new Corruptor(seededRandom(seed));
  const rows: string[] = [];
  let id = 0;
  let cluster = 0;
  const people: FakePerson[] = [];
  const zipf = <T>(xs: readonly T[]) => xs[Math.min(xs.length - 1, Math.floor(xs.length * Math.pow(c.rnd(), 1.6)))];
  const allNames = { given: [...MALE, ...FEMALE], surname: SURNAMES };
  while (id < 20000) {
    let p: FakePerson;
    const prev = people.length ? c.pick(people) : null;
    if (prev && prev.first && c.chance(0.03)) {
      // A different person whose names are another's swapped, born elsewhere on another day.
      p = {
        first: prev.surname,
        surname: prev.first,
        dob: [c.int(1940, 2015), c.int(1, 12), c.int(1, 28)],
        city: c.pick(CITIES),
        email: '',
      };
      p.email = fakeEmail(c, p.first, p.surname);
    } else {
      const first = zipf(c.chance(0.5) ? MALE : FEMALE);
      const surname = zipf(SURNAMES);
      p = {
        first,
        surname,
        dob: [c.int(1940, 2015), c.int(1, 12), c.int(1, 28)],
        city: zipf(CITIES),
        email: fakeEmail(c, first, surname),
      };
    }
    if (prev && c.chance(0.03)) {
      // The same initials-only local part at another domain: another person.
      const local = prev.email.split('@')[0];
      if (/^[a-z]\.?[a-z]?\d*$/.test(local)) p.email = `${local}@${c.pick(SURNAMES)}.${c.pick(TLDS)}`;
    }
    people.push(p);
    const size = Math.min(20000 - id, c.int(1, 8));
    for (let k = 0; k < size; k++) {
      const r = k === 0 && c.chance(0.5) ? p : fakeRecord(c, p, allNames);
      const dob = `${r.dob[0]}-${pad(r.dob[1])}-${pad(r.dob[2])}`;
      rows.push([id++, cap(r.first), cap(r.surname), dob, cap(r.city), r.email, cluster].map(csv).join(','));
    }
    cluster++;
  }
  const path = join(dir, 'fake-people.csv');
  writeFileSync(path, `unique_id,first_name,surname,dob,city,email,cluster\n${rows.join('\n')}\n`);
  return path;
}

const cap = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
const csv = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

function shuffle<T>(c: Corruptor, xs: T[]): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(c.rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}

const FEBRL_MAPPING = {
  recordId: 'rec_id',
  fields: {
    givenName: 'given_name',
    familyName: 'surname',
    dateOfBirth: { column: 'date_of_birth', format: 'yyyyMMdd' },
    addressLines: ['street_number', 'address_1', 'address_2'],
    locality: 'suburb',
    postcode: 'postcode',
    identifiers: { ssn: 'soc_sec_id' },
  },
};

/** Writes every set (and its mappings) under `dir`; `households` is the number of households of that set. */
export function writeHeldoutSets(dir: string, seed = 19, households = 1000): HeldoutSet[] {
  mkdirSync(dir, { recursive: true });
  const allNames = { given: [...MALE, ...FEMALE], surname: SURNAMES };
  const febrlMapping = join(dir, 'febrl.json');
  const noIdMapping = join(dir, 'febrl-no-id.json');
  const fakeMapping = join(dir, 'fake.json');
  writeFileSync(febrlMapping, JSON.stringify(FEBRL_MAPPING));
  writeFileSync(
    noIdMapping,
    JSON.stringify({ ...FEBRL_MAPPING, fields: { ...FEBRL_MAPPING.fields, identifiers: undefined } }),
  );
  writeFileSync(
    fakeMapping,
    JSON.stringify({
      recordId: 'unique_id',
      fields: {
        givenName: 'first_name',
        familyName: 'surname',
        dateOfBirth: { column: 'dob', format: 'yyyy-MM-dd' },
        locality: 'city',
        email: 'email',
      },
    }),
  );
  const dedupe = writeFebrlDedupe(dir, seed, allNames);
  const link = writeFebrlLink(dir, seed + 1, allNames);
  const fake = writeFakePeople(dir, seed + 2);
  const family = writeHouseholds(dir, seed + 3, allNames, households);
  const febrlTruth = ['--truth-febrl'];
  return [
    {
      name: 'febrl-dedupe',
      standsFor: 'FEBRL-style dedupe, 5,000 records, with an id column',
      inputs: [dedupe],
      mapping: febrlMapping,
      truthArgs: febrlTruth,
      truth: `febrl:${dedupe}`,
    },
    {
      name: 'febrl-dedupe-no-id',
      standsFor: 'the same without the id column',
      inputs: [dedupe],
      mapping: noIdMapping,
      truthArgs: febrlTruth,
      truth: `febrl:${dedupe}`,
    },
    {
      name: 'febrl-link',
      standsFor: 'FEBRL-style link of two files, 5,000 + 5,000',
      inputs: link,
      mapping: febrlMapping,
      truthArgs: febrlTruth,
      truth: '',
    },
    {
      name: 'fake-people',
      standsFor: 'Splink-style fake people, 20,000 records',
      inputs: [fake],
      mapping: fakeMapping,
      truthArgs: ['--truth-column', 'cluster'],
      truth: `column=cluster,id=unique_id:${fake}`,
    },
    {
      name: 'households',
      standsFor: 'households without identifiers (twins, Sr / Jr)',
      inputs: [family.path],
      mapping: noIdMapping,
      truthArgs: ['--truth-febrl'],
      truth: `febrl:${family.path}`,
      mustStayApart: family.mustStayApart,
    },
  ];
}

if (require.main === module) {
  const dir = process.argv[2] ?? 'heldout';
  for (const set of writeHeldoutSets(dir, Number(process.argv[3] ?? 19)))
    process.stdout.write(`${set.name}: ${set.inputs.join(' ')} (${set.standsFor})\n`);
}
