import { foldText } from './text';

const TITLES = new Set([
  'mr',
  'mrs',
  'miss',
  'ms',
  'mx',
  'dr',
  'prof',
  'professor',
  'rev',
  'revd',
  'reverend',
  'sir',
  'dame',
  'lord',
  'lady',
  'master',
  'fr',
  'father',
  'sister',
  'capt',
  'captain',
  'col',
  'colonel',
  'lt',
  'sgt',
  'hon',
  'rt',
]);
const GENERATIONS: Record<string, string> = {
  jr: 'jr',
  jnr: 'jr',
  junior: 'jr',
  sr: 'sr',
  snr: 'sr',
  senior: 'sr',
  ii: 'ii',
  iii: 'iii',
  iv: 'iv',
};
/** Lower-case particles that belong to the family name that follows them (de la Cruz, van der Berg). */
const PARTICLES = new Set([
  'van',
  'von',
  'de',
  'del',
  'della',
  'der',
  'den',
  'di',
  'da',
  'du',
  'la',
  'le',
  'st',
  'bin',
  'ibn',
  'al',
  'el',
  'ap',
  'ter',
  'ten',
  'dos',
  'das',
  'mac',
]);

export interface NormalisedName {
  /** The folded tokens, titles and generation suffixes removed. */
  tokens: string[];
  /** Tokens joined without spaces, so "Mary Ann", "Mary-Ann" and "Maryann" agree. */
  key: string;
  /** `jr`, `sr`, `ii`, ... when the name carried one. */
  generation: string | null;
}

export function normaliseName(value: string | undefined | null): NormalisedName | null {
  if (!value) return null;
  const parts = foldText(value).split(' ').filter(Boolean);
  while (parts.length > 1 && TITLES.has(parts[0])) parts.shift();
  let generation: string | null = null;
  while (parts.length > 1 && GENERATIONS[parts[parts.length - 1]]) generation = GENERATIONS[parts.pop() as string];
  if (!parts.length || (parts.length === 1 && TITLES.has(parts[0]))) return null;
  return { tokens: parts, key: parts.join(''), generation };
}

export interface SplitName {
  givenName?: string;
  middleNames?: string;
  familyName?: string;
}

/**
 * Splits a full name as written ("Dr Mary-Ann van der Berg Jr", "SMITH, John Paul") into given, middle and
 * family names. Titles are dropped; a generation suffix stays on the family name, where the matcher finds
 * it; particles stay with the family name. A lone word is taken as the family name.
 */
export function splitFullName(fullName: string): SplitName {
  const clean = fullName.replace(/\s+/g, ' ').trim();
  if (!clean) return {};
  const comma = clean.indexOf(',');
  if (comma >= 0) {
    const family = clean.slice(0, comma).trim();
    const rest = dropTitles(
      clean
        .slice(comma + 1)
        .trim()
        .split(' ')
        .filter(Boolean),
    );
    return compact({ familyName: family, givenName: rest[0], middleNames: rest.slice(1).join(' ') });
  }
  const words = dropTitles(clean.split(' '));
  const suffixes: string[] = [];
  while (words.length > 1 && GENERATIONS[foldText(words[words.length - 1])]) suffixes.unshift(words.pop() as string);
  if (!words.length) return {};
  if (words.length === 1) return compact({ familyName: [words[0], ...suffixes].join(' ') });
  let familyStart = words.length - 1;
  while (familyStart > 1 && PARTICLES.has(words[familyStart - 1].toLowerCase())) familyStart--;
  return compact({
    givenName: words[0],
    middleNames: words.slice(1, familyStart).join(' '),
    familyName: [...words.slice(familyStart), ...suffixes].join(' '),
  });
}

function dropTitles(words: string[]): string[] {
  const out = [...words];
  while (out.length > 1 && TITLES.has(foldText(out[0]))) out.shift();
  return out;
}

function compact(name: SplitName): SplitName {
  const out: SplitName = {};
  for (const [k, v] of Object.entries(name) as [keyof SplitName, string | undefined][]) if (v) out[k] = v;
  return out;
}
