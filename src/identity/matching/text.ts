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
