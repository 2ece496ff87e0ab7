/**
 * What `npm run bench:load` sends (bench/load.ts makes the plan, bench/load-clients.ts runs it) and what it
 * reads from each answer: whether it failed, and whom it disclosed.
 */

/** One kind of request in the mix. */
export interface LoadKind {
  name: string;
  /** Share of the requests, out of the sum of all weights. */
  weight: number;
  query: string;
  /** Taken in turn, one per request. */
  variables: Record<string, unknown>[];
  /** Bearer tokens, taken in turn (several users of the same kind). */
  tokens: string[];
  /** Per request, e.g. x-purpose; `caseReference` of a variable set goes in x-case-reference. */
  headers: Record<string, string>;
  /** How the answer discloses: persons (listed under `path`) or one DPO look at the trail. */
  discloses: { persons: 'person' | 'household' | 'search' } | { dpo: string };
}

export interface LoadPlan {
  endpoint: string;
  connections: number;
  seconds: number;
  /** Prefix of every request id of this run, so its audit events can be found afterwards. */
  prefix: string;
  kinds: LoadKind[];
}

/** What one answered request disclosed, by request id. */
export interface Disclosure {
  kind: string;
  /** The operation of the events it must have: `person.view`, `household.view`, `search` or `dpo.*`. */
  operation: string;
  /** Persons the answer shows something about (person, household and search kinds): one allowing event each. */
  persons: string[];
  /** Persons it names with everything withheld: one event each, of any decision. */
  named: string[];
}

/** The audit operation of each way of disclosing persons. */
export const VIEW_OPERATIONS = { person: 'person.view', household: 'household.view', search: 'search' } as const;

/** The operation whose events an answer of `kind` must have. */
export function operationOf(kind: LoadKind): string {
  return 'dpo' in kind.discloses ? kind.discloses.dpo : VIEW_OPERATIONS[kind.discloses.persons];
}

export interface KindResult {
  name: string;
  requests: number;
  errors: number;
  /** Persons shown, and persons named with everything withheld, over all its answers. */
  shown: number;
  namedAllWithheld: number;
  /** Response times, ms. */
  times: number[];
}

export interface LoadResult {
  seconds: number;
  kinds: KindResult[];
  /** Errors by cause: HTTP status, GraphQL code, socket error or timeout. */
  errorCauses: Record<string, number>;
  /** A few distinct error messages, for the report (they name no one: codes and the hub's messages). */
  errorSamples: string[];
  /** Sent but not answered when the run stopped (in flight): their events, if any, are not matched. */
  unanswered: string[];
  disclosures: Record<string, Disclosure>;
  autocannon: { sent: number; errors: number; timeouts: number; non2xx: number };
}

type GraphqlError = { message?: string; extensions?: { code?: string } };
type Member = { person?: { id?: string } | null };

/** The expected marker of a withheld field; every other GraphQL error is an error. */
export const WITHHELD = 'WITHHELD_BY_POLICY';

/**
 * Reads an answer: its errors (status, unexpected GraphQL errors, a missing root) and the persons it names:
 * `persons`, those about whom it shows something (a value other than their id: a field, an entry in a
 * household, a search result), and `named`, those it names with every field withheld.
 */
export function readAnswer(
  kind: LoadKind,
  status: number,
  text: string,
): { errors: string[]; persons: string[]; named: string[] } {
  const none = { persons: [], named: [] };
  if (status !== 200) return { errors: [`HTTP ${status}`], ...none };
  let body: { data?: Record<string, unknown> | null; errors?: GraphqlError[] };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { errors: ['body is not JSON'], ...none };
  }
  const errors = (body.errors ?? [])
    .filter((e) => e.extensions?.code !== WITHHELD)
    .map((e) => `${e.extensions?.code ?? 'NO_CODE'}: ${e.message ?? ''}`);
  const root = body.data ? Object.values(body.data)[0] : undefined;
  if (root === undefined && errors.length === 0) errors.push('no data');
  if (!('persons' in kind.discloses) || !root) return { errors, ...none };
  const persons = new Set<string>();
  const named = new Set<string>();
  const shape = kind.discloses.persons;
  if (shape === 'person') {
    const { id, ...fields } = root as { id: string };
    (Object.values(fields).some(shows) ? persons : named).add(id);
  }
  // A member's entry or a search result shows that the person is there: that is a disclosure in itself.
  const listed =
    shape === 'household'
      ? (root as { members?: Member[] }).members
      : shape === 'search'
        ? (root as { edges?: Member[] }).edges
        : [];
  for (const entry of listed ?? []) if (entry.person?.id) persons.add(entry.person.id);
  return { errors, persons: [...persons], named: [...named].filter((id) => !persons.has(id)) };
}

/** Whether a value shows something: not null, and not an object or list of nothing but nulls. */
function shows(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (Array.isArray(value)) return value.some(shows);
  if (typeof value === 'object') return Object.values(value).some(shows);
  return true;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
