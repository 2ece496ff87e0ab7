import type { ApiError } from './hub-api';
import { Cell, cell, escapeHtml, link, valueHtml } from './console-cells';

/**
 * Tell Us Once in the console (docs/console.md, "For registrars"): the form that reports a life event once,
 * the receipt of its deliveries, and the list of reports, each page through the hub's own life-event API
 * (`reportLifeEvent`, `lifeEvent`, `lifeEvents`, `withdrawLifeEvent`), which validates, decides and audits.
 */

type Json = Record<string, unknown>;

const RECEIPT = `id type status personId date evidenceReference reportedBy reportedAt repeat parentIds withdrawnAt
  withdrawalReason decidedBy decidedAt notDelivered matchCandidates { personId score }
  deliveries { id kind recipient status attempts lastError deliveredAt outcome }`;

export const LIFE_EVENTS_QUERY = `query ConsoleLifeEvents($after: String, $filter: LifeEventFilterInput) {
  lifeEvents(first: 20, after: $after, filter: $filter) {
    items { id type status date evidenceReference reportedBy reportedAt } nextCursor
  }
}`;

/** The list's filters by status ("awaiting" is the data stewards' queue), each a link. */
export const LIFE_EVENT_STATUS_FILTERS = [
  { status: '', text: 'All' },
  { status: 'AWAITING_MATCH', text: 'Awaiting a data steward' },
  { status: 'ACCEPTED', text: 'Accepted' },
  { status: 'WITHDRAWN', text: 'Withdrawn' },
  { status: 'REJECTED', text: 'Rejected' },
] as const;
export const LIFE_EVENT_QUERY = `query ConsoleLifeEvent($id: ID!) { lifeEvent(id: $id) { ${RECEIPT} } }`;
export const REPORT_LIFE_EVENT = `mutation ConsoleReportLifeEvent($input: ReportLifeEventInput!) {
  reportLifeEvent(input: $input) { ${RECEIPT} }
}`;
export const ACCEPT_LIFE_EVENT_MATCH = `mutation ConsoleAcceptLifeEventMatch($id: ID!, $personId: ID!, $note: String) {
  acceptLifeEventMatch(id: $id, personId: $personId, note: $note) { ${RECEIPT} }
}`;
export const REJECT_LIFE_EVENT_MATCH = `mutation ConsoleRejectLifeEventMatch($id: ID!, $note: String) {
  rejectLifeEventMatch(id: $id, note: $note) { ${RECEIPT} }
}`;
export const RETRY_LIFE_EVENT_DELIVERY = `mutation ConsoleRetryLifeEventDelivery($id: ID!) {
  retryLifeEventDelivery(id: $id) { id status }
}`;
export const WITHDRAW_LIFE_EVENT = `mutation ConsoleWithdrawLifeEvent($id: ID!, $reason: String!) {
  withdrawLifeEvent(id: $id, reason: $reason) { ${RECEIPT} }
}`;

/** The four kinds of event, as the form offers them. */
export const LIFE_EVENT_TYPES = [
  { value: 'DEATH', text: 'A death' },
  { value: 'BIRTH', text: 'A birth' },
  { value: 'CHANGE_OF_ADDRESS', text: 'A change of address' },
  { value: 'CHANGE_OF_NAME', text: 'A change of name' },
] as const;

const TYPE_NAMES: Record<string, string> = {
  DEATH: 'Death',
  BIRTH: 'Birth',
  CHANGE_OF_ADDRESS: 'Change of address',
  CHANGE_OF_NAME: 'Change of name',
};

/** The form's fields, each a string as the browser posted it (anything else is taken as empty). */
export const LIFE_EVENT_FORM_FIELDS = [
  'type',
  'dateDay',
  'dateMonth',
  'dateYear',
  'evidenceReference',
  'personId',
  'givenName',
  'familyName',
  'dobDay',
  'dobMonth',
  'dobYear',
  'postcode',
  'nino',
  'addressLine1',
  'addressLine2',
  'addressLine3',
  'newPostcode',
  'uprn',
  'newGivenName',
  'newMiddleNames',
  'newFamilyName',
  'parent1',
  'parent2',
  'childGivenName',
  'childFamilyName',
  'childSex',
] as const;
export type LifeEventForm = Record<(typeof LIFE_EVENT_FORM_FIELDS)[number], string>;

export function lifeEventForm(body: Record<string, unknown>): LifeEventForm {
  return Object.fromEntries(
    LIFE_EVENT_FORM_FIELDS.map((name) => [name, typeof body[name] === 'string' ? (body[name] as string).trim() : '']),
  ) as LifeEventForm;
}

/** A GOV.UK date input's three parts as YYYY-MM-DD; the parts as given when they are not all digits (the API says why). */
function dateOf(day: string, month: string, year: string): string {
  if (!day && !month && !year) return '';
  if (![day, month, year].every((part) => /^\d+$/.test(part))) return `${year}-${month}-${day}`;
  return `${year.padStart(4, '0')}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
}

const present = (entries: [string, string][]) => Object.fromEntries(entries.filter(([, value]) => value !== ''));

/**
 * The `reportLifeEvent` input the form describes. Only what the chosen type takes is sent: who it is about
 * (the hub id, or a description), the new address or name, the child and parents. The API checks the rest.
 */
export function reportInput(form: LifeEventForm): Json {
  const input: Json = {
    type: form.type,
    date: dateOf(form.dateDay, form.dateMonth, form.dateYear),
    evidenceReference: form.evidenceReference,
  };
  if (form.type === 'BIRTH') {
    input.parentIds = [form.parent1, form.parent2].filter(Boolean);
    // The names always (the API says when one is missing); the sex only when given.
    input.child = {
      givenName: form.childGivenName,
      familyName: form.childFamilyName,
      ...(form.childSex ? { sex: form.childSex } : {}),
    };
    return input;
  }
  const described = [
    form.givenName,
    form.familyName,
    form.dobDay,
    form.dobMonth,
    form.dobYear,
    form.postcode,
    form.nino,
  ];
  if (form.personId) input.personId = form.personId;
  if (described.some(Boolean))
    input.person = {
      givenName: form.givenName,
      familyName: form.familyName,
      dateOfBirth: dateOf(form.dobDay, form.dobMonth, form.dobYear),
      ...present([
        ['postcode', form.postcode],
        ['nino', form.nino],
      ]),
    };
  if (form.type === 'CHANGE_OF_ADDRESS')
    input.newAddress = {
      lines: [form.addressLine1, form.addressLine2, form.addressLine3].filter(Boolean),
      postcode: form.newPostcode,
      ...(form.uprn ? { uprn: form.uprn } : {}),
    };
  if (form.type === 'CHANGE_OF_NAME')
    input.newName = present([
      ['givenName', form.newGivenName],
      ['middleNames', form.newMiddleNames],
      ['familyName', form.newFamilyName],
    ]);
  return input;
}

/** Where each of the API's input fields is on the form (the first control of it), for the error summary. */
const FIELD_ANCHORS: [RegExp, string][] = [
  [/^type/, 'type'],
  [/^date/, 'date-day'],
  [/^evidenceReference/, 'evidenceReference'],
  [/^personId/, 'personId'],
  [/^person\.familyName/, 'familyName'],
  [/^person\.dateOfBirth/, 'dob-day'],
  [/^person\.postcode/, 'postcode'],
  [/^person\.nino/, 'nino'],
  [/^person/, 'givenName'],
  [/^newAddress\.postcode/, 'newPostcode'],
  [/^newAddress\.uprn/, 'uprn'],
  [/^newAddress/, 'addressLine1'],
  [/^newName/, 'newGivenName'],
  [/^parentIds/, 'parent1'],
  [/^child\.familyName/, 'childFamilyName'],
  [/^child/, 'childGivenName'],
];

const anchorOf = (field: string) => FIELD_ANCHORS.find(([pattern]) => pattern.test(field))?.[1] ?? 'type';

/** What a refused report says, as the error summary's lines, each linked to its place on the form. */
export function reportProblems(errors: readonly ApiError[]): { text: string; href: string; id: string }[] {
  return errors.flatMap((error) => {
    const listed = (error.extensions?.details as { problems?: { field: string; message: string }[] } | undefined)
      ?.problems;
    if (Array.isArray(listed))
      return listed.map((problem) => ({
        text: `${fieldName(problem.field)} ${problem.message}`,
        href: `#${anchorOf(problem.field)}`,
        id: anchorOf(problem.field),
      }));
    const field = error.extensions?.code === 'LIFE_EVENT_UNKNOWN_PERSON' ? 'personId' : 'type';
    return [{ text: error.message, href: `#${anchorOf(field)}`, id: anchorOf(field) }];
  });
}

/** Each field's error message on the form (several problems of one field in one message). */
export function errorsByField(problems: ReturnType<typeof reportProblems>): Record<string, { text: string }> {
  const byField = new Map<string, string[]>();
  for (const problem of problems) byField.set(problem.id, [...(byField.get(problem.id) ?? []), problem.text]);
  return Object.fromEntries([...byField].map(([id, texts]) => [id, { text: texts.join('. ') }]));
}

/** The API's field names as the form labels them. */
function fieldName(field: string): string {
  const names: Record<string, string> = {
    type: 'What happened:',
    date: 'The date it happened',
    evidenceReference: 'The evidence reference',
    personId: 'The person:',
    person: 'The person:',
    'person.dateOfBirth': 'Their date of birth',
    'person.postcode': 'Their postcode',
    newAddress: 'The new address:',
    'newAddress.lines': 'The new address',
    'newAddress.postcode': 'The new postcode',
    'newAddress.uprn': 'The UPRN',
    newName: 'The new name:',
    parentIds: 'The parents:',
    child: 'The child:',
  };
  return names[field] ?? `${field}:`;
}

/** One report in the list: when, what, its status, and a link to its receipt. */
export function lifeEventRow(event: Json) {
  return [
    cell(String(event.reportedAt ?? '')),
    link(`/console/life-events/${String(event.id)}`, TYPE_NAMES[String(event.type)] ?? String(event.type)),
    cell(event.date),
    cell(event.evidenceReference),
    { html: statusTag(String(event.status)) },
  ];
}

const STATUS_TAGS: Record<string, [string, string]> = {
  ACCEPTED: ['Accepted', 'govuk-tag--green'],
  AWAITING_MATCH: ['Awaiting a data steward', 'govuk-tag--yellow'],
  WITHDRAWN: ['Withdrawn', 'govuk-tag--grey'],
  REJECTED: ['Rejected', 'govuk-tag--red'],
  PENDING: ['Pending', 'govuk-tag--blue'],
  DELIVERED: ['Delivered', 'govuk-tag--green'],
  DEAD: ['Not delivered', 'govuk-tag--red'],
  CANCELLED: ['Cancelled', 'govuk-tag--grey'],
};

function statusTag(status: string): string {
  const [text, modifier] = STATUS_TAGS[status] ?? [status, 'govuk-tag--grey'];
  return `<strong class="govuk-tag ${modifier}">${escapeHtml(text)}</strong>`;
}

/** The receipt of one event: what was reported, its status, and each delivery's. */
export function receiptPage(event: Json) {
  const type = TYPE_NAMES[String(event.type)] ?? String(event.type);
  const parents = (event.parentIds as string[] | null) ?? [];
  const candidates = ((event.matchCandidates as Json[] | null) ?? []).map((c) => ({
    personId: String(c.personId),
    score: Number(c.score).toFixed(2),
  }));
  const rows: { key: { text: string }; value: Cell }[] = [];
  const add = (key: string, value: Cell) => rows.push({ key: { text: key }, value });
  add('What happened', cell(type));
  add('When it happened', cell(event.date));
  add('Evidence', cell(event.evidenceReference));
  // The hub's id for the person: the registrar's reference when asking about them, not a page they may open.
  add('About', cell(event.personId, undefined, 'not known yet: a data steward decides who it is about'));
  if (parents.length) add('Parents', cell(parents));
  add('Reported', cell(event.reportedAt));
  add('Reported by', cell(event.reportedBy));
  if (event.withdrawnAt)
    add('Withdrawn', { html: `${valueHtml(event.withdrawnAt)}: ${valueHtml(event.withdrawalReason)}` });
  if (event.decidedBy) add('Decided by', { html: `${valueHtml(event.decidedBy)}, ${valueHtml(event.decidedAt)}` });
  return {
    type,
    status: String(event.status),
    statusHtml: statusTag(String(event.status)),
    summaryRows: rows,
    deliveries: ((event.deliveries as Json[] | null) ?? []).map((d) => [
      cell(d.recipient),
      cell(d.kind === 'RETRACTION' ? 'Retraction' : 'Notice'),
      { html: statusTag(String(d.status)) },
      cell(d.attempts),
      cell(d.deliveredAt, undefined, '-'),
      cell(d.lastError ?? d.outcome, undefined, '-'),
    ]),
    // Deliveries that gave up after their attempts: the DPO or an admin sends them again once the recipient is fixed.
    dead: ((event.deliveries as Json[] | null) ?? [])
      .filter((d) => d.status === 'DEAD')
      .map((d) => ({ id: String(d.id), recipient: String(d.recipient), lastError: String(d.lastError ?? '') })),
    notDelivered: (event.notDelivered as string[] | null) ?? [],
    candidates,
    // A data steward's choices: each candidate (a link to their record), or no one in the index.
    decideItems: [
      ...candidates.map((c) => ({
        value: c.personId,
        html: link(`/console/people/${c.personId}`, c.personId).html,
        hint: { text: `Search score ${c.score}` },
      })),
      ...(candidates.length ? [{ divider: 'or' }] : []),
      { value: 'none', text: 'No one in the index: reject the report' },
    ],
    withdrawable: event.status === 'ACCEPTED' || event.status === 'AWAITING_MATCH',
  };
}
