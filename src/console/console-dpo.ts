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

/** One event for the MoJ timeline: a heading, who and when, and what was released under what. */
export function timelineItem(event: Json) {
  const released = fieldsText((event.released as Json[]) ?? []);
  const withheld = fieldsText((event.withheld as Json[]) ?? []);
  const lines = [
    `Purpose: ${String(event.purpose ?? 'none')}${event.caseReference ? `, case ${String(event.caseReference)}` : ''}`,
    `Agreement: ${agreementText(event) ?? 'none'}${event.basis ? ` (${String(event.basis)})` : ''}`,
    ...(event.breakGlassId ? [`Break-glass grant ${String(event.breakGlassId)}`] : []),
    `Released: ${released || 'nothing'}`,
    ...(withheld ? [`Withheld: ${withheld}`] : []),
  ];
  return {
    label: { text: `${String(event.operation)} · ${String(event.decision ?? '')}` },
    html: lines.map(escapeHtml).join('<br>'),
    datetime: { timestamp: String(event.occurredAt), type: 'datetime' },
    byline: { text: actorText(event.actor as Json | null) },
  };
}
