/**
 * Jaro and Jaro-Winkler similarity (Winkler 1990): matching characters within half the longer length,
 * half the transpositions counted, and the prefix bonus (scale 0.1, at most four characters) applied
 * only when the Jaro similarity exceeds 0.7, as in the original definition. Implemented here rather than
 * taken from npm because the packages there are unmaintained; the spec checks the published values.
 */
const flagsA = new Uint8Array(256);
const flagsB = new Uint8Array(256);

export function jaro(a: string, b: string): number {
  if (a === b) return a.length ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  // The scratch buffers keep the hot loop allocation-free; long strings get their own.
  const fa = la <= 256 ? flagsA : new Uint8Array(la);
  const fb = lb <= 256 ? flagsB : new Uint8Array(lb);
  fa.fill(0, 0, la);
  fb.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const start = Math.max(0, i - window);
    const end = Math.min(lb - 1, i + window);
    const c = a.charCodeAt(i);
    for (let j = start; j <= end; j++) {
      if (!fb[j] && b.charCodeAt(j) === c) {
        fa[i] = 1;
        fb[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (!matches) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!fa[i]) continue;
    while (!fb[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const t = transpositions / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

/**
 * Jaro-Winkler similarity. With `floor`, a pair that cannot reach it may return any value below it: an
 * upper bound from the characters the strings share (ignoring positions) rejects most unrelated pairs
 * without the matching loop.
 */
export function jaroWinkler(a: string, b: string, floor = 0): number {
  if (floor > 0 && a !== b && upperBound(a, b) < floor) return 0;
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

/** Each character of one string that occurs anywhere in the other can match at most once. */
function upperBound(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (!la || !lb) return 0;
  let maskA = 0;
  let maskB = 0;
  for (let i = 0; i < la; i++) maskA |= 1 << (a.charCodeAt(i) & 31);
  for (let i = 0; i < lb; i++) maskB |= 1 << (b.charCodeAt(i) & 31);
  let inB = 0;
  let inA = 0;
  for (let i = 0; i < la; i++) if (maskB & (1 << (a.charCodeAt(i) & 31))) inB++;
  for (let i = 0; i < lb; i++) if (maskA & (1 << (b.charCodeAt(i) & 31))) inA++;
  const m = Math.min(inA, inB);
  if (!m) return 0;
  const j = (m / la + m / lb + 1) / 3;
  if (j <= 0.7) return j;
  let prefix = 0;
  const limit = Math.min(4, la, lb);
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}
