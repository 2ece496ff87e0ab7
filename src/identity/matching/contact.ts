export interface NormalisedEmail {
  full: string;
  local: string;
  /** `local@domain.tld`; a malformed address (a space, a missing dot, a doubled @) is kept as text. */
  valid: boolean;
}

/**
 * Lower case, trimmed. A well-formed address has one `@` and a dotted domain; anything else that looks like
 * an attempt at one (an `@`, or a dotted word) is kept as text with its spaces removed, so that
 * `john smith@mail.com`, `john@mailcom` and `john@@mail.com` are still compared with the real address as
 * typing slips instead of being thrown away.
 */
export function normaliseEmail(value: string | undefined | null): NormalisedEmail | null {
  if (!value) return null;
  const text = value.trim().toLowerCase();
  const match = /^([^@\s]+)@([^@\s]+\.[^@\s]+)$/.exec(text);
  if (match) return { full: text, local: match[1], valid: true };
  const squeezed = text.replace(/\s+/g, '');
  if (squeezed.length < 5 || !/[a-z0-9]/.test(squeezed) || !/[@.]/.test(squeezed)) return null;
  const again = /^([^@]+)@([^@]+\.[^@]+)$/.exec(squeezed);
  if (again) return { full: squeezed, local: again[1], valid: true };
  const at = squeezed.indexOf('@');
  return { full: squeezed, local: at > 0 ? squeezed.slice(0, at) : squeezed, valid: false };
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
