import { cell, escapeHtml, link } from './console-cells';

/** What the DPO's pages ask the hub (all DPO-only queries, each audited by the hub as the DPO's own look). */

const EVENT_FIELDS = `seq occurredAt operation decision actor { subject organisation roles team } persons households
  released { source field } withheld { source field } purpose caseReference agreementId agreementVersion basis
  breakGlassId reasons requestId`;

export const DPO_OVERVIEW_QUERY = `query ConsoleDpoOverview {
  verifyAuditChain { valid checkedEvents checkedCheckpoints firstBrokenSeq problem fromSeq toSeq }
  breakGlassReviews(status: "pending") { id granteeSubject granteeOrganisation personId purpose reason grantedAt expiresAt disclosures }
  auditAnomalies { from to volume { __typename } outsideCaseload { __typename } outOfHours { __typename } broadCaseReferences { __typename } flagged { __typename } }
}`;

export const DPO_EVENTS_QUERY = `query ConsoleDpoEvents($filter: AuditEventFilter, $after: String) {
  auditEvents(filter: $filter, first: 50, after: $after) { nodes { ${EVENT_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;

export const DPO_TIMELINE_QUERY = `query ConsoleDpoTimeline($personId: String!, $after: String) {
  personAccessTimeline(personId: $personId, first: 50, after: $after) { nodes { ${EVENT_FIELDS} } pageInfo { endCursor hasNextPage } }
}`;

/** The filters the event search takes from its form (the names of AuditEventFilterInput). */
export const EVENT_FILTERS = [
  'personId',
  'householdId',
  'actorSubject',
  'organisation',
  'purpose',
  'decision',
  'operation',
  'from',
  'to',
] as const;

type Json = Record<string, unknown>;

const actorText = (actor: Json | null) =>
  actor
    ? `${String(actor.subject)} (${String(actor.organisation)}${actor.team ? `, ${String(actor.team)}` : ''})`
    : 'anonymous';
const fieldsText = (fields: Json[]) => fields.map((f) => `${String(f.source)}.${String(f.field)}`).join(', ');
const agreementText = (event: Json) =>
  event.agreementId ? `${String(event.agreementId)} v${String(event.agreementVersion)}` : null;

/** One audit event as a table row: when, who, what, about whom, under what. */
export function eventRow(event: Json) {
  const persons = (event.persons as string[]) ?? [];
  return [
    cell(String(event.seq)),
    cell(new Date(String(event.occurredAt)).toISOString().replace('T', ' ').slice(0, 19)),
    cell(actorText(event.actor as Json | null)),
    cell(event.operation),
    cell(event.decision),
    persons.length === 1
      ? link(`/console/dpo/people/${persons[0]}`, persons[0].slice(0, 8))
      : cell(persons.length ? `${persons.length} people` : null, undefined, '-'),
    cell(event.purpose, undefined, '-'),
    cell(agreementText(event), undefined, '-'),
    cell(fieldsText((event.released as Json[]) ?? []) || null, undefined, '-'),
  ];
}

export const EVENT_HEAD = [
  '#',
  'When (UTC)',
  'Who',
  'What',
  'Decision',
  'About',
  'Purpose',
  'Agreement',
  'Released',
].map((text) => ({ text }));

/**
 * The fields an event names, counted in a line that opens (GOV.UK details) on the list of them by source:
 * "Released: 86 fields from 5 sources", then "housing: tenancy.tenancyRef, tenancy.role, ...".
 */
function fieldsDetails(verb: 'Released' | 'Withheld', fields: Json[]): string {
  const bySource = new Map<string, string[]>();
  for (const f of fields) bySource.set(String(f.source), [...(bySource.get(String(f.source)) ?? []), String(f.field)]);
  const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  const summary = `${verb}: ${count(fields.length, 'field')} from ${count(bySource.size, 'source')}`;
  const list = [...bySource]
    .map(([source, names]) => `<strong>${escapeHtml(source)}</strong>: ${escapeHtml(names.join(', '))}`)
    .join('<br>');
  return (
    `<details class="govuk-details govuk-!-margin-bottom-1"><summary class="govuk-details__summary">` +
    `<span class="govuk-details__summary-text">${escapeHtml(summary)}</span></summary>` +
    `<div class="govuk-details__text">${list}</div></details>`
  );
}

/** One event for the MoJ timeline: a heading, who and when, and what was released under what. */
export function timelineItem(event: Json) {
  const released = (event.released as Json[] | null) ?? [];
  const withheld = (event.withheld as Json[] | null) ?? [];
  const lines = [
    `Purpose: ${String(event.purpose ?? 'none')}${event.caseReference ? `, case ${String(event.caseReference)}` : ''}`,
    `Agreement: ${agreementText(event) ?? 'none'}${event.basis ? ` (${String(event.basis)})` : ''}`,
    ...(event.breakGlassId ? [`Break-glass grant ${String(event.breakGlassId)}`] : []),
  ].map(escapeHtml);
  return {
    label: { text: `${String(event.operation)} · ${String(event.decision ?? '')}` },
    // The details are blocks of their own: no line break before them.
    html:
      lines.join('<br>') +
      (released.length ? fieldsDetails('Released', released) : '<br>Released: nothing') +
      (withheld.length ? fieldsDetails('Withheld', withheld) : ''),
    datetime: { timestamp: String(event.occurredAt), type: 'datetime' },
    byline: { text: actorText(event.actor as Json | null) },
  };
}

export const BREAK_GLASS_QUERY = `query ConsoleBreakGlassReviews($status: String) {
  breakGlassReviews(status: $status) { id granteeSubject granteeOrganisation personId purpose caseReference reason grantedAt
    expiresAt revokedAt reviewStatus reviewedBy reviewedAt reviewNote disclosures fieldsReleased firstUsedAt lastUsedAt }
}`;

export const REVIEW_BREAK_GLASS = `mutation ConsoleReviewBreakGlass($input: ReviewBreakGlassInput!) {
  reviewBreakGlass(input: $input) { id reviewStatus reviewNote }
}`;

/** The break-glass review statuses the page filters by, as the hub names them. */
export const BREAK_GLASS_STATUSES = ['pending', 'justified', 'not-justified', 'all'] as const;

const when = (value: unknown) => (value ? String(value).slice(0, 16).replace('T', ' ') : null);

/** One grant as the review page shows it: who, whom, why, when, what it was used to see, and any outcome. */
export function breakGlassGrant(grant: Json) {
  const status = String(grant.reviewStatus);
  return {
    id: String(grant.id),
    pending: status === 'pending',
    status,
    rows: [
      { key: { text: 'Who' }, value: cell(`${String(grant.granteeSubject)} (${String(grant.granteeOrganisation)})`) },
      { key: { text: 'Person' }, value: link(`/console/dpo/people/${String(grant.personId)}`, String(grant.personId)) },
      {
        key: { text: 'Purpose' },
        value: cell(`${String(grant.purpose)}${grant.caseReference ? `, case ${String(grant.caseReference)}` : ''}`),
      },
      { key: { text: 'Reason given' }, value: cell(grant.reason) },
      {
        key: { text: 'Granted' },
        value: cell(
          `${when(grant.grantedAt)} until ${when(grant.expiresAt)}${grant.revokedAt ? `, revoked ${when(grant.revokedAt)}` : ''}`,
        ),
      },
      {
        key: { text: 'Used for' },
        value: cell(
          `${String(grant.disclosures)} views${grant.firstUsedAt ? `, ${when(grant.firstUsedAt)} to ${when(grant.lastUsedAt)}` : ''}`,
        ),
      },
      { key: { text: 'Fields released' }, value: cell(grant.fieldsReleased, undefined, 'none') },
      ...(status === 'pending'
        ? []
        : [
            {
              key: { text: 'Outcome' },
              value: cell(
                `${status === 'justified' ? 'Justified' : 'Not justified'}, by ${String(grant.reviewedBy)} on ${when(grant.reviewedAt)}: ${String(grant.reviewNote ?? '')}`,
              ),
            },
          ]),
    ],
  };
}

export const DPO_ANOMALIES_QUERY = `query ConsoleDpoAnomalies($from: DateTime, $to: DateTime) {
  auditAnomalies(from: $from, to: $to) {
    from to zThreshold minPersons bulkThreshold timezone caseReferenceMaxPersons
    volume { subject organisation events persons peerMedian peers robustZ }
    outsideCaseload { subject organisation events persons breakGlassEvents }
    outOfHours { subject organisation day events persons }
    broadCaseReferences { organisation caseReference persons subjects }
    flagged { kind subject organisation caseReference agreementId count first last }
  }
}`;

const num = (value: unknown, digits = 0) => ({ text: Number(value).toFixed(digits), format: 'numeric' });
const heads = (...names: string[]) =>
  names.map((text) => (text.startsWith('#') ? { text: text.slice(1), format: 'numeric' } : { text }));

/** The anomaly report's five lists, each a table (heading, explanation, head, rows). */
export function anomalyTables(report: Json) {
  const list = (key: string) => (report[key] as Json[] | undefined) ?? [];
  const events = (subject: string) =>
    `/console/dpo/events?${new URLSearchParams({ actorSubject: subject, from: String(report.from).slice(0, 10) })}`;
  const who = (row: Json) => link(events(String(row.subject)), `${String(row.subject)} (${String(row.organisation)})`);
  return [
    {
      id: 'volume',
      title: 'Unusual volume',
      text: `Users who saw far more people than the others in their organisation (robust z-score above ${String(report.zThreshold)}, at least ${String(report.minPersons)} people).`,
      head: heads('Who', '#Views', '#People', '#Peer median', '#Peers', '#Robust z'),
      rows: list('volume').map((r) => [
        who(r),
        num(r.events),
        num(r.persons),
        num(r.peerMedian, 1),
        num(r.peers),
        num(r.robustZ, 1),
      ]),
    },
    {
      id: 'outside-caseload',
      title: 'Outside caseload',
      text: 'Disclosures to a user with no case behind them (break-glass or consent alone).',
      head: heads('Who', '#Views', '#People', '#Under break-glass'),
      rows: list('outsideCaseload').map((r) => [who(r), num(r.events), num(r.persons), num(r.breakGlassEvents)]),
    },
    {
      id: 'out-of-hours',
      title: 'Out of hours',
      text: `Users who saw ${String(report.bulkThreshold)} or more people outside office hours on one day (${String(report.timezone)}).`,
      head: heads('Who', 'Day', '#Views', '#People'),
      rows: list('outOfHours').map((r) => [who(r), cell(r.day), num(r.events), num(r.persons)]),
    },
    {
      id: 'case-references',
      title: 'Broad case references',
      text: `Case references covering more than ${String(report.caseReferenceMaxPersons)} people.`,
      head: heads('Organisation', 'Case reference', '#People', '#Users'),
      rows: list('broadCaseReferences').map((r) => [
        cell(r.organisation),
        cell(r.caseReference),
        num(r.persons),
        num(r.subjects),
      ]),
    },
    {
      id: 'flagged',
      title: 'Refused or flagged by a limit',
      text: 'Disclosures a harvesting limit refused or flagged, per client and kind.',
      head: heads('Kind', 'Who', 'Case reference', 'Agreement', '#Count', 'First', 'Last'),
      rows: list('flagged').map((r) => [
        cell(r.kind),
        who(r),
        cell(r.caseReference, undefined, '-'),
        cell(r.agreementId, undefined, '-'),
        num(r.count),
        cell(when(r.first)),
        cell(when(r.last)),
      ]),
    },
  ];
}

export const DPO_SAR_QUERY = `query ConsoleSubjectAccess($personId: String!) {
  subjectAccessReport(personId: $personId) {
    personId personIds generatedAt dueBy sourceRecordsSearched
    sourceRecords { source sourceKey record }
    disclosures { ${EVENT_FIELDS} }
    otherEvents { ${EVENT_FIELDS} }
  }
}`;

/** A source record of the report as summary-list rows, every field the record holds. */
export function sourceRecordRows(record: Json) {
  let fields: Json = {};
  try {
    fields = JSON.parse(String(record.record)) as Json;
  } catch {
    fields = { record: String(record.record) };
  }
  return Object.entries(fields).map(([key, value]) => ({
    key: { text: key },
    value: cell(value !== null && typeof value === 'object' && !Array.isArray(value) ? JSON.stringify(value) : value),
  }));
}

/** A disclosure in the printable report: when, who, what, under what, which fields. */
export function reportEventRow(event: Json) {
  return [
    cell(when(event.occurredAt)),
    cell(actorText(event.actor as Json | null)),
    cell(`${String(event.operation)} (${String(event.decision ?? '')})`),
    cell([event.purpose, agreementText(event), event.basis].filter(Boolean).join(', ') || null, undefined, '-'),
    cell(fieldsText((event.released as Json[]) ?? []) || null, undefined, '-'),
  ];
}

export const REPORT_EVENT_HEAD = ['When (UTC)', 'Who', 'What', 'Purpose, agreement, basis', 'Released'].map((text) => ({
  text,
}));

/**
 * Accesses over time: disclosures per UTC day by organisation and by purpose, counted by the hub's
 * PostgreSQL over the whole window in one call (DPO only, audited as `dpo.activity`).
 */
export const DPO_ACTIVITY_QUERY = `query ConsoleDpoActivity($input: AuditActivityInput) {
  auditActivity(input: $input) {
    from to disclosures
    days { day disclosures byOrganisation { name disclosures } byPurpose { name disclosures } }
  }
}`;

export interface ActivityDay {
  day: string;
  disclosures: number;
  byOrganisation: { name: string | null; disclosures: number }[];
  byPurpose: { name: string | null; disclosures: number }[];
}

/**
 * One series per organisation (or purpose) with a count for every day of the answer, in the days' order;
 * `none` names the events that had none (an anonymous actor, no purpose given).
 */
export function activitySeries(days: ActivityDay[], by: 'byOrganisation' | 'byPurpose', none: string) {
  const counts = new Map<string, number[]>();
  days.forEach((day, i) => {
    for (const { name, disclosures } of day[by]) {
      const key = name ?? none;
      if (!counts.has(key))
        counts.set(
          key,
          days.map(() => 0),
        );
      counts.get(key)![i] += disclosures;
    }
  });
  return [...counts].map(([name, values]) => ({ name, counts: values }));
}
