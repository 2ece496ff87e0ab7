import { Extensions } from '@nestjs/graphql';

/**
 * What free text may hold. `line`: one line, no control characters at all. `multiline`: also tabs and line
 * breaks (LF, or CR LF as browsers send a textarea), for reasons and notes written in sentences.
 */
export type SafeTextMode = 'line' | 'multiline';

/** The schema extension that marks an input field as multi-line text (anything unmarked is one line). */
export const SAFE_TEXT_EXTENSION = 'safeText';

/** The schema extension that lets an input field hold more than MAX_TEXT_LENGTH characters. */
export const MAX_LENGTH_EXTENSION = 'safeTextMaxLength';

/**
 * The longest string any argument may hold unless its field says otherwise: what the audit trail keeps of
 * a reason (audit/audit-content.ts), where reasons and notes end up. Longer values used to reach the trail
 * or a column's check and fail there as internal errors.
 */
export const MAX_TEXT_LENGTH = 1_000;

/**
 * On an input field of reasons or notes: tabs and line breaks are allowed there. Every other string the
 * hub is sent is held to one line (see graphql/input-hygiene.plugin.ts). `maxLength` for text kept only in
 * its own table, never as an audit reason.
 */
export const MultilineText = (options: { maxLength?: number } = {}) =>
  Extensions({
    [SAFE_TEXT_EXTENSION]: 'multiline' satisfies SafeTextMode,
    ...(options.maxLength ? { [MAX_LENGTH_EXTENSION]: options.maxLength } : {}),
  });

/**
 * Characters no text the hub stores or shows may carry:
 * - C0 controls (U+0000-U+001F) and DEL: NUL breaks PostgreSQL text, ESC sequences rewrite a terminal or log
 *   viewer, a lone CR overwrites a line in what the DPO reads;
 * - C1 controls (U+0080-U+009F): the same in 8-bit terminals, and never typed by a person;
 * - bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): they make a reason or a title
 *   read differently from what it says ("Trojan Source"), on a screen the DPO relies on.
 */
// oxlint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const LINE_BREAKS = /[\t\n\r]/u;
/** A CR not followed by LF. */
const LONE_CR = /\r(?!\n)/u;
/** Half of a surrogate pair on its own (`\ud800` in JSON): not Unicode text, and refused by the audit trail. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Names a character in a message without repeating it (it may be invisible or rewrite the message). */
function describe(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Why `text` may not be stored as `mode` text, or undefined when it may. */
export function unsafeTextProblem(text: string, mode: SafeTextMode, maxLength = MAX_TEXT_LENGTH): string | undefined {
  if (text.length > maxLength) return `it is longer than ${maxLength} characters`;
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) return `it contains a lone surrogate, which is not Unicode text (position ${surrogate.index})`;
  const forbidden = FORBIDDEN.exec(text);
  if (forbidden) {
    const char = forbidden[0];
    const kind = /[\u202A-\u202E\u2066-\u2069]/u.test(char) ? 'a bidirectional override' : 'a control character';
    return `it contains ${kind} (${describe(char)} at position ${forbidden.index})`;
  }
  if (mode === 'line') {
    const brk = LINE_BREAKS.exec(text);
    if (brk) return `it must be one line, without tabs or line breaks (${describe(brk[0])} at position ${brk.index})`;
    return undefined;
  }
  const cr = LONE_CR.exec(text);
  if (cr) return `it contains a carriage return that does not end a line (position ${cr.index})`;
  return undefined;
}
