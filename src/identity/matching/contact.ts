export interface NormalisedEmail {
  full: string;
  local: string;
}

/** Lower case, trimmed; a value without exactly one `@` and a dotted domain is not an address. */
export function normaliseEmail(value: string | undefined | null): NormalisedEmail | null {
  if (!value) return null;
  const text = value.trim().toLowerCase();
  const match = /^([^@\s]+)@([^@\s]+\.[^@\s]+)$/.exec(text);
  if (!match) return null;
  return { full: text, local: match[1] };
}

/**
 * Digits only, with the UK country code (44 or 0044, with or without the trunk 0) turned into the national
 * leading 0. Fewer than seven digits is not a usable number.
 */
export function normalisePhone(value: string | undefined | null): string | null {
  if (!value) return null;
  const hadPlus = value.trim().startsWith('+');
  let digits = value.replace(/\D/g, '');
  if (digits.startsWith('0044')) digits = digits.slice(4);
  else if (digits.startsWith('44') && (hadPlus || digits.length === 12)) digits = digits.slice(2);
  else if (hadPlus) return digits.length >= 7 ? `+${digits}` : null;
  if (digits.startsWith('0')) digits = digits.slice(1);
  digits = `0${digits}`;
  return digits.length >= 8 ? digits : null;
}
