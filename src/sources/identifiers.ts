/**
 * Format rules for the national identifiers the sources hold. Used by the sync to decide whether a value
 * can be offered to the matcher, and by the borough generator to make valid (and invalid) ones.
 */

/** First letters HMRC never issues: D, F, I, Q, U, V; second letters also never O. */
const ninoFirst = /^[A-CEGHJ-PR-TW-Z]$/;
const ninoSecond = /^[A-CEGHJ-NPR-TW-Z]$/;
/** Prefixes not allocated (BG, GB, NK, KN, TN, NT, ZZ); temporary `TN` numbers are not identifiers. */
const ninoBlockedPrefixes = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/** Upper case without spaces: `ab 12 34 56 c` → `AB123456C`. Content is not changed. */
export function normaliseNino(value: string): string {
  return value.replace(/\s+/g, '').toUpperCase();
}

/** Whether a (normalised) NINO has a valid shape: an allocatable prefix, six digits, suffix A–D. */
export function isValidNino(nino: string): boolean {
  if (!/^[A-Z]{2}\d{6}[A-D]$/.test(nino)) return false;
  return ninoFirst.test(nino[0]) && ninoSecond.test(nino[1]) && !ninoBlockedPrefixes.has(nino.slice(0, 2));
}

export function isValidNinoPrefix(prefix: string): boolean {
  return (
    prefix.length === 2 && ninoFirst.test(prefix[0]) && ninoSecond.test(prefix[1]) && !ninoBlockedPrefixes.has(prefix)
  );
}

/** Digits only: `943 476 5919` → `9434765919`. */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/[\s-]+/g, '');
}

/** The modulus 11 check digit for the first nine digits, or undefined when none exists (remainder 1). */
export function nhsCheckDigit(firstNine: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 10) return undefined;
  return check === 11 ? 0 : check;
}

export function isValidNhsNumber(value: string): boolean {
  return /^\d{10}$/.test(value) && nhsCheckDigit(value.slice(0, 9)) === Number(value[9]);
}
