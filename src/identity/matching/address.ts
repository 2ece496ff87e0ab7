import { jaroWinkler } from './jaro-winkler';
import { foldText, letterMask, popcount } from './text';

/** Standard abbreviations of street types and address words, so "12 High St" and "12 High Street" agree. */
const ABBREVIATIONS: Record<string, string> = {
  st: 'street',
  str: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  ln: 'lane',
  cres: 'crescent',
  cr: 'crescent',
  dr: 'drive',
  drv: 'drive',
  ct: 'court',
  crt: 'court',
  pl: 'place',
  sq: 'square',
  gdns: 'gardens',
  gdn: 'garden',
  cl: 'close',
  clo: 'close',
  hwy: 'highway',
  pde: 'parade',
  tce: 'terrace',
  terr: 'terrace',
  grv: 'grove',
  gr: 'grove',
  mt: 'mount',
  pk: 'park',
  cir: 'circuit',
  cct: 'circuit',
  bvd: 'boulevard',
  blvd: 'boulevard',
  wy: 'way',
  apt: 'flat',
  apartment: 'flat',
  hse: 'house',
  ho: 'house',
  nth: 'north',
  sth: 'south',
  n: 'north',
  s: 'south',
  e: 'east',
  w: 'west',
  upr: 'upper',
  lwr: 'lower',
};

export function addressTokens(lines: readonly string[]): string[] {
  const out: string[] = [];
  for (const line of lines) {
    for (const token of foldText(line).split(' ')) if (token) out.push(ABBREVIATIONS[token] ?? token);
  }
  return out;
}

const isNumeric = (t: string) => t.charCodeAt(0) >= 48 && t.charCodeAt(0) <= 57;

/**
 * Whether two tokens might reach Jaro-Winkler 0.9: each letter one has and the other lacks leaves at
 * least one character unmatched, which bounds the Jaro similarity (and so JW, with at most a 0.4 boost).
 */
function mightBeSimilar(ta: string, ma: number, tb: string, mb: number): boolean {
  const m = Math.min(ta.length - popcount(ma & ~mb), tb.length - popcount(mb & ~ma));
  if (m <= 0) return false;
  const j = (m / ta.length + m / tb.length + 1) / 3;
  return j + 0.4 * (1 - j) >= 0.9;
}

/**
 * Weighted Dice similarity of two token lists: tokens pair up when equal, or, for words of four letters or
 * more, when their Jaro-Winkler similarity is at least 0.9 (numbers must be equal). Each token counts with
 * its weight (the caller passes inverse document frequencies, so "street" counts for little and a rare
 * street name for a lot). 1 means the same tokens.
 */
export function tokenSimilarity(
  a: readonly string[],
  wa: ArrayLike<number>,
  b: readonly string[],
  wb: ArrayLike<number>,
  maskA: ArrayLike<number> = a.map(letterMask),
  maskB: ArrayLike<number> = b.map(letterMask),
): number {
  let total = 0;
  for (let i = 0; i < wa.length; i++) total += wa[i];
  for (let j = 0; j < wb.length; j++) total += wb[j];
  if (total <= 0) return 0;
  let used = 0; // bit set over b's tokens (addresses have far fewer than 32)
  let matched = 0;
  for (let i = 0; i < a.length; i++) {
    const ta = a[i];
    let best = -1;
    for (let j = 0; j < b.length && j < 31; j++) {
      if (used & (1 << j)) continue;
      if (b[j] === ta) {
        best = j;
        break;
      }
    }
    if (best < 0 && ta.length >= 4 && !isNumeric(ta)) {
      let bestSim = 0.9;
      for (let j = 0; j < b.length && j < 31; j++) {
        const tb = b[j];
        if (used & (1 << j) || tb.length < 4 || isNumeric(tb) || !mightBeSimilar(ta, maskA[i], tb, maskB[j])) continue;
        const sim = jaroWinkler(ta, tb, bestSim);
        if (sim >= bestSim) {
          bestSim = sim;
          best = j;
        }
      }
    }
    if (best >= 0) {
      used |= 1 << best;
      matched += wa[i] + wb[best];
    }
  }
  return matched / total;
}
