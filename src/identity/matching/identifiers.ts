/**
 * National Insurance number: two prefix letters, six digits, an optional suffix A-D. HMRC never issues D, F,
 * I, Q, U or V as either prefix letter, nor O as the second, nor the prefixes BG, GB, KN, NK, NT, TN or ZZ
 * (TN and ZZ are administrative placeholders). Returns the eight-character stem (the suffix is dropped:
 * systems disagree about holding it) or null when the value is not a possible NINO.
 */
export function normaliseNino(value: string | undefined | null): string | null {
  if (!value) return null;
  const text = value.toUpperCase().replace(/[\s-]/g, '');
  const match = /^([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])(\d{6})([A-D]?)$/.exec(text);
  if (!match) return null;
  if (['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ'].includes(match[1])) return null;
  return match[1] + match[2];
}

/**
 * NHS number: ten digits whose last is the modulus-11 check digit of the first nine (weights 10 down to 2;
 * a check value of 10 is never issued). Numbers of one repeated digit pass the check but are placeholders.
 */
export function normaliseNhsNumber(value: string | undefined | null): string | null {
  if (!value) return null;
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{10}$/.test(digits) || /^(\d)\1{9}$/.test(digits)) return null;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  let check = 11 - (sum % 11);
  if (check === 11) check = 0;
  if (check === 10) return null;
  return check === digits.charCodeAt(9) - 48 ? digits : null;
}

/** UPRNs are up to twelve digits; leading zeros are padding some systems add. */
export function normaliseUprn(value: string | undefined | null): string | null {
  if (!value) return null;
  const digits = value.trim();
  if (!/^\d+$/.test(digits)) return null;
  const stripped = digits.replace(/^0+/, '');
  return stripped && stripped.length <= 12 ? stripped : null;
}

/** A free-named identifier: upper case, spaces, hyphens, dots and slashes removed. */
export function normaliseIdentifier(value: string | undefined | null): string | null {
  if (!value) return null;
  const text = value.toUpperCase().replace(/[\s\-./]/g, '');
  return text || null;
}
