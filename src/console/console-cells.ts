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

/** A released value as text (lists joined), a hint when there is none, or the withheld marker. */
export function valueHtml(value: unknown, withheld?: string, empty = 'none recorded'): string {
  if (withheld) return withheldHtml(withheld);
  if (value === null || value === undefined || value === '' || (Array.isArray(value) && value.length === 0))
    return `<span class="govuk-hint">${escapeHtml(empty)}</span>`;
  if (Array.isArray(value)) return escapeHtml(value.map(String).join(', '));
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  return escapeHtml(String(value));
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
