import { DataSource } from 'typeorm';
import { LoadResult } from './load-plan';

export interface DisclosureCheck {
  /** Answers read by the clients, warm-up included, and the audit events of their requests. */
  answered: number;
  events: number;
  /** Persons shown in them (something about them released), plus the DPO queries answered. */
  disclosures: number;
  /** Persons they named with every field withheld. Each of these and each disclosure has exactly one event. */
  namedAllWithheld: number;
  matched: number;
  /** Disclosures without their event (or shown under an event that allows nothing). */
  missing: number;
  /** Disclosures with more than one event. */
  duplicated: number;
  /** Events of an answered request about a person it did not show: decided (often denied), nothing shown. */
  decidedNotShown: number;
  /** Events of an answered request of another operation than its own (e.g. a budget's refusal). */
  unexpected: number;
  /** Requests still in flight when the clients stopped, and the events they left (not matched). */
  inFlight: { requests: number; events: number };
  /** Events carrying a request id of this run that the clients never sent. */
  unknownRequestIds: number;
  oneEventPerDisclosure: boolean;
  /** A few answers that do not match, by request id (for the logs: operations and decisions, no one named). */
  mismatches: { requestId: string; shown: number; events: string[] }[];
}

interface EventRow {
  request_id: string;
  operation: string;
  decision: string;
  person: string | null;
}

const DISCLOSED = new Set(['allow', 'allow-with-redactions']);

/**
 * Matches what the clients saw with the audit trail, by request id: every person an answer showed something
 * about has exactly one event of that request, of the answer's operation, naming them first and allowing
 * something; a person it named with everything withheld, exactly one such event of any decision; every DPO
 * query exactly one `dpo.*` event. Events about persons an answer did not name are counted apart.
 */
export async function checkDisclosures(dataSource: DataSource, runs: LoadResult[]): Promise<DisclosureCheck> {
  const prefixes = [
    ...new Set(
      runs.flatMap((run) =>
        Object.keys(run.disclosures)
          .concat(run.unanswered)
          .map((id) => id.split('-')[0]),
      ),
    ),
  ];
  const rows: EventRow[] = await dataSource.query(
    `select request_id, operation, decision, persons[1] as person from audit_event
      where request_id like any($1::text[])`,
    [prefixes.map((p) => `${p}-%`)],
  );
  const byRequest = new Map<string, EventRow[]>();
  for (const row of rows) byRequest.set(row.request_id, [...(byRequest.get(row.request_id) ?? []), row]);
  const answers = new Map(runs.flatMap((run) => Object.entries(run.disclosures)));
  const inFlight = new Set(runs.flatMap((run) => run.unanswered));

  const check = {
    answered: answers.size,
    disclosures: 0,
    namedAllWithheld: 0,
    matched: 0,
    missing: 0,
    duplicated: 0,
    decidedNotShown: 0,
    unexpected: 0,
  };
  const mismatches: DisclosureCheck['mismatches'] = [];
  for (const [id, answer] of answers) {
    const events = byRequest.get(id) ?? [];
    const own = events.filter((e) => e.operation === answer.operation);
    check.unexpected += events.length - own.length;
    // Shown: one event allowing something. Named with everything withheld: one event, whatever it decided.
    const expected: { person: string | null; allowing: boolean }[] = answer.operation.startsWith('dpo.')
      ? [{ person: null, allowing: true }]
      : [
          ...answer.persons.map((person) => ({ person, allowing: true })),
          ...answer.named.map((person) => ({ person, allowing: false })),
        ];
    const before = check.matched;
    for (const { person, allowing } of expected) {
      if (allowing) check.disclosures += 1;
      else check.namedAllWithheld += 1;
      const about = own.filter((e) => person === null || e.person === person);
      if (about.length > 1) check.duplicated += 1;
      else if (about.length === 0 || (allowing && !DISCLOSED.has(about[0].decision))) check.missing += 1;
      else check.matched += 1;
    }
    if ((check.matched - before !== expected.length || own.length !== events.length) && mismatches.length < 5) {
      mismatches.push({
        requestId: id,
        shown: answer.persons.length,
        events: events.map((e) => `${e.operation} ${e.decision}`),
      });
    }
    const answered = [...answer.persons, ...answer.named];
    if (answered.length > 0) check.decidedNotShown += own.filter((e) => !answered.includes(e.person ?? '')).length;
  }
  const unknown = [...byRequest.keys()].filter((id) => !answers.has(id) && !inFlight.has(id));
  const inFlightEvents = [...inFlight].reduce((n, id) => n + (byRequest.get(id)?.length ?? 0), 0);
  return {
    ...check,
    events: [...answers.keys()].reduce((n, id) => n + (byRequest.get(id)?.length ?? 0), 0),
    inFlight: { requests: inFlight.size, events: inFlightEvents },
    unknownRequestIds: unknown.length,
    oneEventPerDisclosure:
      check.matched === check.disclosures + check.namedAllWithheld && check.unexpected === 0 && unknown.length === 0,
    mismatches,
  };
}
