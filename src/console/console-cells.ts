/** Table and summary-list cells for the GOV.UK macros, built from what the hub released. */

export interface Cell {
  html: string;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

/** The marker a withheld value shows: that it was withheld, and why, in the hub's words. */
export function withheldHtml(reason: string): string {
  return `<span class="console-withheld" data-testid="withheld"><strong class="govuk-tag govuk-tag--grey">withheld</strong> ${escapeHtml(reason)}</span>`;
}

/**
 * A released value as text (lists joined; dates in GOV.UK style), a hint when there is none, or the
 * withheld marker.
 */
export function valueHtml(value: unknown, withheld?: string, empty = 'none recorded'): string {
  if (withheld) return withheldHtml(withheld);
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return `<span class="govuk-hint">${escapeHtml(empty)}</span>`;
  if (Array.isArray(value)) return escapeHtml(value.map(String).join(', '));
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') return dateHtml(value) ?? escapeHtml(value);
  return escapeHtml(String(value));
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
/** A moment's day in the UK, as GOV.UK writes dates. */
const UK_DAY = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});

/** A moment's day in the UK as YYYY-MM-DD: the day a page shows it on (`dateHtml`). */
const UK_DAY_ISO = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
export const ukDay = (moment: Date): string => UK_DAY_ISO.format(moment);

/**
 * The day of a released date or timestamp, as YYYY-MM-DD: a timestamp with its zone by its day in the UK
 * (the day the page shows); anything else that starts with a date, by that date. Undefined otherwise.
 */
export function dayOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const moment = ISO_TIMESTAMP.test(value) ? new Date(value) : undefined;
  if (moment && !Number.isNaN(moment.getTime())) return ukDay(moment);
  return /^(\d{4}-\d{2}-\d{2})/.exec(value)?.[1];
}

/**
 * A date as GOV.UK writes it ("6 October 2019"), in a `<time>` element that keeps the value as released
 * (`datetime="2019-10-06"`); a timestamp by its day in the UK. Undefined for anything that is not a real
 * date (2024-02-30, a reference that only looks like one): that is shown as it was released.
 */
export function dateHtml(value: string): string | undefined {
  const date = ISO_DATE.exec(value);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    const real = new Date(Date.UTC(year, month - 1, day));
    if (real.getUTCFullYear() !== year || real.getUTCMonth() !== month - 1 || real.getUTCDate() !== day)
      return undefined;
    return `<time datetime="${value}">${day} ${MONTHS[month - 1]} ${date[1]}</time>`;
  }
  if (!ISO_TIMESTAMP.test(value)) return undefined;
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return undefined;
  return `<time datetime="${value}">${UK_DAY.format(moment)}</time>`;
}

export const cell = (value: unknown, withheld?: string, empty?: string): Cell => ({
  html: valueHtml(value, withheld, empty),
});

export const link = (href: string, text: string): Cell => ({
  html: `<a class="govuk-link" href="${escapeHtml(href)}">${escapeHtml(text)}</a>`,
});

/** A summary-list row. */
export const row = (key: string, value: unknown, withheld?: string, empty?: string) => ({
  key: { text: key },
  value: cell(value, withheld, empty),
});

const ACRONYMS = new Set(['uprn', 'nino', 'nhs', 'ehc', 'sen', 'id']);

/** Labels made so far: the names are the schema's field names, a fixed set, asked for on every page. */
const labels = new Map<string, string>();
const MAX_LABELS = 5_000;

/** `tenancyRef` → "Tenancy ref", `awardStartDate` → "Award start date", `uprn` → "UPRN". */
export function label(name: string): string {
  let made = labels.get(name);
  if (made === undefined) {
    made = labelOf(name);
    if (labels.size < MAX_LABELS) labels.set(name, made);
  }
  return made;
}

function labelOf(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  const text = words
    .split(' ')
    .map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word))
    .join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
