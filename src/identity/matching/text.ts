/** Letters NFKD does not decompose into a base letter plus a mark. */
const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * Lower case, accents removed, apostrophes dropped (O'Brien and OBrien are one spelling) and every other
 * character that is not a letter or digit turned into a space. Hyphens become spaces too: callers that
 * care about hyphenated parts split on the spaces.
 */
export function foldText(value: string): string {
  let text = value.normalize('NFKD').toLowerCase();
  text = text.replace(/[\u0300-\u036f]/g, '');
  text = text.replace(/[ßæœøłđðþı]/g, (c) => SPECIAL_LETTERS[c] ?? c);
  text = text.replace(/['’‘`´]/g, '');
  text = text.replace(/[^a-z0-9]+/g, ' ');
  return text.trim();
}

export function tokens(value: string | undefined | null): string[] {
  if (!value) return [];
  const folded = foldText(value);
  return folded ? folded.split(' ') : [];
}

/** Trims and treats an empty string as missing. */
export function present(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}

/** Both strings differ only by one swap of adjacent characters. */
export function isAdjacentTransposition(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (i >= a.length - 1) return false;
  if (a[i] !== b[i + 1] || a[i + 1] !== b[i]) return false;
  return a.slice(i + 2) === b.slice(i + 2);
}

/**
 * Levenshtein distance at most one, or one swap of adjacent characters. Equal-length strings are decided by
 * counting mismatches; only a length difference of one needs the edit distance proper.
 */
export function withinOneEdit(a: string, b: string, distance: (a: string, b: string) => number): boolean {
  const diff = a.length - b.length;
  if (diff > 1 || diff < -1) return false;
  if (diff) return distance(a, b) <= 1;
  let mismatches = 0;
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) !== b.charCodeAt(i) && ++mismatches > 2) return false;
  return mismatches <= 1 || isAdjacentTransposition(a, b);
}

/**
 * Optimal-string-alignment distance (Damerau–Levenshtein where no substring is edited twice): insertions,
 * deletions, substitutions and swaps of two adjacent characters each cost one. Returns `max + 1` as soon as
 * the distance must exceed `max`, so checking "within two edits" costs little on long strings.
 */
export function damerauLevenshtein(a: string, b: string, max = Infinity): number {
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  if (n === 0 || m === 0) return Math.max(n, m);
  let prev2: number[] = Array.from({ length: m + 1 }, () => 0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let row: number[] = Array.from({ length: m + 1 }, () => 0);
  for (let i = 1; i <= n; i++) {
    row[0] = i;
    let best = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1))
        d = Math.min(d, prev2[j - 2] + 1);
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[m];
}

/** The same letters in another order (kai / kia, esme / eems): a typing slip, not another name. */
export function sameLetters(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  return [...a].sort().join('') === [...b].sort().join('');
}

/**
 * Two names within typing distance: one edit or one swap of adjacent letters (kai / kia, amy / any), two
 * when both have seven letters or more (caitlin / caigtlln), or the same letters in another order after
 * the same first letter (esme / eems). Names further apart than this are other names, not slips (harry /
 * henry, oliver / olivia); so are anagrams that begin differently (leon / noel, mira / rima): slips rarely
 * touch the first letter, and twins are given such names.
 */
export function withinTypoDistance(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  if (shorter < 2) return false;
  const max = shorter >= 7 ? 2 : 1;
  // The bag distance is at least the difference of the lengths.
  if (a.length - b.length > max || b.length - a.length > max) return false;
  const bag = bagDistance(a, b);
  if (bag === 0 && a[0] === b[0]) return true; // the same letters in another order
  return bag <= max && damerauLevenshtein(a, b, max) <= max;
}

/**
 * A bit per letter a string contains (its character code modulo 32), so fuzzy matching can skip hopeless
 * pairs cheaply: a letter one string has and the other lacks is at least one character the other cannot
 * match.
 */
export function letterMask(token: string): number {
  let mask = 0;
  for (let i = 0; i < token.length; i++) mask |= 1 << (token.charCodeAt(i) & 31);
  return mask;
}

export function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const letterCounts = new Int32Array(128);

/**
 * Bag distance: the larger of the two multiset differences of the characters. A lower bound of the edit
 * distance that costs one pass, so names far apart are dismissed without the dynamic programme.
 */
export function bagDistance(a: string, b: string): number {
  for (let i = 0; i < a.length; i++) letterCounts[a.charCodeAt(i) & 127]++;
  for (let i = 0; i < b.length; i++) letterCounts[b.charCodeAt(i) & 127]--;
  let extraA = 0;
  let extraB = 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i) & 127;
    if (letterCounts[c] > 0) extraA += letterCounts[c];
    else if (letterCounts[c] < 0) extraB -= letterCounts[c];
    letterCounts[c] = 0;
  }
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i) & 127;
    if (letterCounts[c] < 0) extraB -= letterCounts[c];
    letterCounts[c] = 0;
  }
  return Math.max(extraA, extraB);
}
