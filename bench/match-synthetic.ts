/**
 * A seeded synthetic population of a UK borough, written as CSV with its ground truth, for the matching
 * benchmark: households (shared surname, address, UPRN), twins, fathers and sons with the same name, and
 * duplicate records per person with realistic noise (typos, nicknames, swapped names, name changes on
 * marriage, day/month swaps, moves, missing values, format variations). Names, streets and towns are
 * common UK ones; nothing here is taken from the evaluation datasets.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { isValid } from 'postcode';
import { seededRandom } from '../src/identity/matching/random';

const MALE = [
  'oliver',
  'george',
  'harry',
  'jack',
  'jacob',
  'noah',
  'charlie',
  'thomas',
  'oscar',
  'william',
  'james',
  'henry',
  'leo',
  'alfie',
  'joshua',
  'freddie',
  'archie',
  'ethan',
  'isaac',
  'alexander',
  'joseph',
  'edward',
  'samuel',
  'max',
  'daniel',
  'arthur',
  'lucas',
  'mohammed',
  'logan',
  'theo',
  'harrison',
  'benjamin',
  'mason',
  'sebastian',
  'finley',
  'adam',
  'dylan',
  'zachary',
  'riley',
  'teddy',
  'david',
  'john',
  'michael',
  'robert',
  'richard',
  'peter',
  'paul',
  'mark',
  'stephen',
  'andrew',
  'christopher',
  'anthony',
  'kevin',
  'gary',
  'ian',
  'simon',
  'martin',
  'matthew',
  'philip',
  'patrick',
  'kenneth',
  'ronald',
  'raymond',
  'dennis',
  'frederick',
  'albert',
  'stanley',
  'leonard',
  'gerald',
  'ahmed',
  'ali',
  'hassan',
  'krzysztof',
  'piotr',
  'tomasz',
  'rajesh',
  'sanjay',
  'kwame',
  'tariq',
  'omar',
];
const FEMALE = [
  'olivia',
  'amelia',
  'isla',
  'ava',
  'emily',
  'sophia',
  'grace',
  'mia',
  'poppy',
  'ella',
  'lily',
  'evie',
  'isabella',
  'sophie',
  'ivy',
  'freya',
  'harper',
  'willow',
  'charlotte',
  'jessica',
  'daisy',
  'florence',
  'alice',
  'phoebe',
  'ruby',
  'elizabeth',
  'margaret',
  'susan',
  'sarah',
  'patricia',
  'linda',
  'barbara',
  'jennifer',
  'mary',
  'helen',
  'karen',
  'julie',
  'deborah',
  'rebecca',
  'catherine',
  'victoria',
  'rachel',
  'nicola',
  'joanne',
  'amanda',
  'samantha',
  'dorothy',
  'jean',
  'joan',
  'doreen',
  'valerie',
  'christine',
  'patricia',
  'fatima',
  'aisha',
  'maryam',
  'zainab',
  'agnieszka',
  'katarzyna',
  'priya',
  'anjali',
  'abena',
  'chloe',
  'megan',
  'lauren',
  'hannah',
  'eleanor',
  'gemma',
  'kirsty',
  'stacey',
];
const SURNAMES = [
  'smith',
  'jones',
  'williams',
  'taylor',
  'brown',
  'davies',
  'evans',
  'wilson',
  'thomas',
  'johnson',
  'roberts',
  'robinson',
  'thompson',
  'wright',
  'walker',
  'white',
  'edwards',
  'hughes',
  'green',
  'hall',
  'lewis',
  'harris',
  'clarke',
  'patel',
  'jackson',
  'wood',
  'turner',
  'martin',
  'cooper',
  'hill',
  'ward',
  'morris',
  'moore',
  'clark',
  'lee',
  'king',
  'baker',
  'harrison',
  'morgan',
  'allen',
  'james',
  'scott',
  'phillips',
  'watson',
  'davis',
  'parker',
  'price',
  'bennett',
  'young',
  'griffiths',
  'mitchell',
  'kelly',
  'cook',
  'carter',
  'richardson',
  'bailey',
  'collins',
  'bell',
  'shaw',
  'murphy',
  'miller',
  'cox',
  'richards',
  'khan',
  'marshall',
  'anderson',
  'simpson',
  'ellis',
  'adams',
  'singh',
  'begum',
  'wilkinson',
  'foster',
  'chapman',
  'powell',
  'webb',
  'rogers',
  'gray',
  'mason',
  'ali',
  'hunt',
  'hussain',
  'campbell',
  'matthews',
  'owen',
  'palmer',
  'holmes',
  'mills',
  'barnes',
  'knight',
  "o'brien",
  'lloyd',
  'butler',
  'russell',
  'barker',
  'fisher',
  'stevens',
  'jenkins',
  'murray',
  'dixon',
  'harvey',
  'nowak',
  'kowalski',
  'ahmed',
  'mensah',
  'okafor',
  'nguyen',
  'fernandes',
  'da silva',
  'mcdonald',
  'macleod',
];
const SYLLABLES = [
  'ash',
  'ber',
  'cal',
  'dun',
  'el',
  'far',
  'gar',
  'hol',
  'ing',
  'kel',
  'lan',
  'mor',
  'nor',
  'ock',
  'pen',
  'quin',
  'ros',
  'stan',
  'thorn',
  'vel',
  'wick',
  'ham',
  'ford',
  'ley',
  'ton',
  'by',
  'worth',
  'field',
  'brook',
  'well',
];
const STREETS = [
  'high',
  'station',
  'main',
  'park',
  'church',
  'london',
  'victoria',
  'green',
  'manor',
  'kings',
  'queens',
  'new',
  'grange',
  'mill',
  'school',
  'north',
  'south',
  'albert',
  'york',
  'springfield',
  'windsor',
  'highfield',
  'chester',
  'oak',
  'elm',
  'beech',
  'cedar',
  'willow',
  'meadow',
  'orchard',
  'westfield',
  'mount pleasant',
  'st johns',
  'st marys',
  'richmond',
  'stanley',
  'nelson',
  'wellington',
  'clarence',
  'grosvenor',
];
const STREET_TYPES = [
  'road',
  'street',
  'lane',
  'avenue',
  'close',
  'drive',
  'way',
  'gardens',
  'crescent',
  'court',
  'place',
  'grove',
  'terrace',
];
const TOWNS: [string, string[]][] = [
  ['leeds', ['LS']],
  ['manchester', ['M']],
  ['birmingham', ['B']],
  ['bristol', ['BS']],
  ['sheffield', ['S']],
  ['nottingham', ['NG']],
  ['leicester', ['LE']],
  ['coventry', ['CV']],
  ['london', ['E', 'N', 'SE', 'SW', 'NW', 'W']],
  ['liverpool', ['L']],
  ['cardiff', ['CF']],
  ['newcastle upon tyne', ['NE']],
];
const NICKNAMES: Record<string, string> = {
  robert: 'bob',
  william: 'bill',
  elizabeth: 'liz',
  margaret: 'peggy',
  michael: 'mike',
  richard: 'dick',
  thomas: 'tom',
  james: 'jim',
  catherine: 'kate',
  rebecca: 'becky',
  samuel: 'sam',
  samantha: 'sam',
  christopher: 'chris',
  christine: 'chris',
  anthony: 'tony',
  daniel: 'dan',
  matthew: 'matt',
  edward: 'ed',
  alexander: 'alex',
  victoria: 'vicky',
  jennifer: 'jenny',
  patricia: 'pat',
  susan: 'sue',
  joseph: 'joe',
  benjamin: 'ben',
  frederick: 'fred',
  kenneth: 'ken',
  ronald: 'ron',
  stephen: 'steve',
  andrew: 'andy',
  philip: 'phil',
  joshua: 'josh',
  zachary: 'zach',
  nicola: 'nicky',
  deborah: 'debbie',
  dorothy: 'dot',
};
const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const NINO_FIRST = 'ABCEGHJKLMNOPRSTWXYZ';
const NINO_SECOND = 'ABCEGHJKLMNPRSTWXYZ';

interface Person {
  id: number;
  given: string;
  middle: string;
  family: string;
  previousFamily: string;
  dob: [number, number, number];
  sex: 'M' | 'F';
  nino: string;
  nhs: string;
  email: string;
  phone: string;
  home: Address;
  generation: string;
}

interface Address {
  uprn: string;
  line1: string;
  line2: string;
  town: string;
  postcode: string;
}

export interface SyntheticOptions {
  records: number;
  seed: number;
  out: string;
}

export const SYNTHETIC_HEADER = [
  'record_id',
  'person_id',
  'title',
  'first_name',
  'middle_name',
  'last_name',
  'dob',
  'sex',
  'nino',
  'nhs_number',
  'uprn',
  'address_1',
  'address_2',
  'town',
  'postcode',
  'email',
  'phone',
];

export interface SyntheticPopulation {
  people: number;
  /** Person ids of twins, and of fathers and their namesake sons, which must never share a cluster. */
  mustStayApart: { kind: 'twins' | 'sr-jr'; a: number; b: number }[];
}

/** Writes `records` rows (plus header) with the true person in `person_id`. */
export async function writeSyntheticPopulation({ records, seed, out }: SyntheticOptions): Promise<SyntheticPopulation> {
  const mustStayApart: SyntheticPopulation['mustStayApart'] = [];
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  // Zipf-like choice so a few names are common and the tail is long.
  const zipf = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(xs.length * Math.pow(rnd(), 2.2)))];
  const chance = (p: number) => rnd() < p;
  const surname = () =>
    chance(0.35) ? pick(SYLLABLES) + pick(SYLLABLES) + (chance(0.5) ? pick(SYLLABLES) : '') : zipf(SURNAMES);
  let uprnSeq = 100000000;
  const usedPostcodes = new Map<string, number>();
  const newAddress = (): Address => {
    const [town, areas] = pick(TOWNS);
    let postcode = '';
    do
      postcode = `${pick(areas)}${1 + Math.floor(rnd() * 20)} ${Math.floor(rnd() * 10)}${pick([...UNIT_LETTERS])}${pick([...UNIT_LETTERS])}`;
    while (!isValid(postcode));
    usedPostcodes.set(postcode, (usedPostcodes.get(postcode) ?? 0) + 1);
    const flat = chance(0.25) ? `flat ${1 + Math.floor(rnd() * 30)}, ` : '';
    return {
      uprn: String(uprnSeq++ * 7 + Math.floor(rnd() * 7)),
      line1: `${flat}${1 + Math.floor(rnd() * 200)} ${pick(STREETS)} ${pick(STREET_TYPES)}`,
      line2: chance(0.3) ? `${pick(SYLLABLES)}${pick(SYLLABLES)}` : '',
      town,
      postcode,
    };
  };
  const nino = () => {
    let prefix = '';
    do prefix = pick([...NINO_FIRST]) + pick([...NINO_SECOND]);
    while (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(prefix));
    return `${prefix}${String(Math.floor(rnd() * 1e6)).padStart(6, '0')}${pick(['A', 'B', 'C', 'D'])}`;
  };
  const nhs = (): string => {
    for (;;) {
      const digits = Array.from({ length: 9 }, () => Math.floor(rnd() * 10));
      const sum = digits.reduce((s, d, i) => s + d * (10 - i), 0);
      const check = (11 - (sum % 11)) % 11;
      if (check !== 10) return digits.join('') + check;
    }
  };
  const phone = () => `07${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}`;
  const dobBetween = (from: number, to: number): [number, number, number] => {
    const y = from + Math.floor(rnd() * (to - from + 1));
    const m = 1 + Math.floor(rnd() * 12);
    return [y, m, 1 + Math.floor(rnd() * 28)];
  };

  // People in households; about 1.6 records per person.
  const people: Person[] = [];
  const targetPeople = Math.max(2, Math.round(records / 1.6));
  const person = (p: Partial<Person> & Pick<Person, 'family' | 'dob' | 'sex' | 'home'>): Person => {
    const given = p.given ?? zipf(p.sex === 'M' ? MALE : FEMALE);
    const created: Person = {
      id: people.length,
      given,
      middle: chance(0.4) ? zipf(p.sex === 'M' ? MALE : FEMALE) : '',
      previousFamily: '',
      nino: p.dob[0] <= 2008 && chance(0.75) ? nino() : '',
      nhs: chance(0.65) ? nhs() : '',
      email: chance(0.45)
        ? `${given}${chance(0.5) ? '.' : ''}${p.family.replace(/[^a-z]/g, '')}${chance(0.5) ? Math.floor(rnd() * 100) : ''}@${pick(['gmail.com', 'hotmail.co.uk', 'outlook.com', 'yahoo.co.uk', 'btinternet.com'])}`
        : '',
      phone: chance(0.55) ? phone() : '',
      generation: '',
      ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)),
    } as Person;
    people.push(created);
    return created;
  };
  while (people.length < targetPeople) {
    const home = newAddress();
    const family = surname();
    const kind = rnd();
    if (kind < 0.35) {
      person({ family, dob: dobBetween(1935, 2004), sex: chance(0.5) ? 'M' : 'F', home });
      continue;
    }
    const parentYear = 1950 + Math.floor(rnd() * 45);
    const father = person({ family, dob: dobBetween(parentYear, parentYear + 2), sex: 'M', home });
    const mother = person({ family, dob: dobBetween(parentYear - 2, parentYear + 3), sex: 'F', home });
    if (chance(0.3)) mother.previousFamily = surname();
    const children = Math.floor(rnd() * 4);
    for (let c = 0; c < children; c++) {
      const dob = dobBetween(parentYear + 20, Math.min(2023, parentYear + 40));
      const sex = chance(0.5) ? 'M' : 'F';
      // A son named after his father: the Sr / Jr case.
      const junior = sex === 'M' && chance(0.08);
      const child = person({
        family,
        dob,
        sex,
        home,
        given: junior ? father.given : undefined,
        middle: junior ? father.middle : undefined,
        generation: junior ? 'jr' : '',
      } as Person);
      if (junior) mustStayApart.push({ kind: 'sr-jr', a: father.id, b: child.id });
      if (chance(0.04)) {
        const twin = person({ family, dob, sex: chance(0.5) ? 'M' : 'F', home });
        if (twin.given !== child.given) mustStayApart.push({ kind: 'twins', a: child.id, b: twin.id });
      }
    }
  }

  const stream = createWriteStream(out);
  const write = async (line: string) => {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  };
  await write(SYNTHETIC_HEADER.join(','));
  let written = 0;
  let next = 0;
  while (written < records) {
    const who = people[next % people.length];
    next++;
    const copies = written + 1 >= records ? 1 : chance(0.45) ? (chance(0.35) ? 3 : 2) : 1;
    for (let c = 0; c < copies && written < records; c++) {
      await write(
        recordOf(who, c > 0, written)
          .map(csv)
          .join(','),
      );
      written++;
    }
  }
  stream.end();
  await once(stream, 'finish');
  const used = Math.min(next, people.length);
  return { people: used, mustStayApart: mustStayApart.filter((x) => x.a < used && x.b < used) };

  function recordOf(x: Person, duplicate: boolean, n: number): string[] {
    const noisy = duplicate ? 1 : 0.25;
    let given = x.given;
    let family = x.family;
    if (chance(0.1 * noisy) && NICKNAMES[given]) given = NICKNAMES[given];
    if (chance(0.08 * noisy)) given = typo(given);
    if (chance(0.08 * noisy)) family = typo(family);
    if (x.previousFamily && chance(0.4)) family = x.previousFamily;
    if (chance(0.02 * noisy)) [given, family] = [family, given];
    let [y, m, d] = x.dob;
    if (chance(0.03 * noisy) && d <= 12) [m, d] = [d, m];
    else if (chance(0.05 * noisy)) {
      const which = Math.floor(rnd() * 3);
      if (which === 0) y += chance(0.5) ? 1 : -1;
      else if (which === 1) m = 1 + ((m + (chance(0.5) ? 0 : 10)) % 12);
      else d = 1 + ((d + (chance(0.5) ? 0 : 26)) % 28);
    }
    const home = chance(0.12 * noisy) ? newAddress() : x.home;
    let postcode = home.postcode;
    if (chance(0.05 * noisy)) postcode = postcode.slice(0, -1) + pick([...UNIT_LETTERS]);
    if (chance(0.3)) postcode = postcode.replace(' ', '').toLowerCase();
    let ninoValue = x.nino;
    if (ninoValue && chance(0.02 * noisy)) ninoValue = transpose(ninoValue, 2 + Math.floor(rnd() * 5));
    if (ninoValue && chance(0.3))
      ninoValue = `${ninoValue.slice(0, 2)} ${ninoValue.slice(2, 4)} ${ninoValue.slice(4, 6)} ${ninoValue.slice(6)}`;
    const upper = chance(0.2);
    const nameCase = (s: string) =>
      upper ? s.toUpperCase() : s.replace(/(^|[\s'-])([a-z])/g, (_, a, b) => a + b.toUpperCase());
    const drop = (value: string, p: number) => (chance(p) ? '' : value);
    const dobText = `${String(d).padStart(2, '0')}/${String(m).padStart(2, '0')}/${y}`;
    const title = chance(0.15) ? (x.sex === 'M' ? 'Mr' : pick(['Mrs', 'Ms', 'Miss'])) : '';
    return [
      `r${n}`,
      String(x.id),
      title,
      nameCase(drop(given, 0.03)),
      nameCase(drop(x.middle, 0.4)),
      nameCase(family) + (x.generation && chance(0.3) ? ' Jr' : ''),
      drop(dobText, 0.04),
      drop(x.sex, 0.15),
      drop(ninoValue, duplicate ? 0.35 : 0.2),
      drop(x.nhs, duplicate ? 0.4 : 0.25),
      drop(home.uprn, 0.5),
      home.line1,
      home.line2,
      drop(home.town, 0.2),
      drop(postcode, 0.05),
      drop(x.email, 0.4),
      drop(x.phone && chance(0.3) ? `+44 ${x.phone.slice(1, 5)} ${x.phone.slice(5)}` : x.phone, 0.4),
    ];
  }

  function typo(s: string): string {
    if (s.length < 3) return s;
    const i = 1 + Math.floor(rnd() * (s.length - 2));
    const letter = String.fromCharCode(97 + Math.floor(rnd() * 26));
    switch (Math.floor(rnd() * 4)) {
      case 0:
        return s.slice(0, i) + s.slice(i + 1);
      case 1:
        return s.slice(0, i) + letter + s.slice(i);
      case 2:
        return s.slice(0, i) + letter + s.slice(i + 1);
      default:
        return transpose(s, i);
    }
  }

  function transpose(s: string, i: number): string {
    return i + 1 < s.length ? s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2) : s;
  }
}

function csv(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
