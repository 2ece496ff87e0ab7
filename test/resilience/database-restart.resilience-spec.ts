import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { AuditVerifierService } from '../../src/audit/audit-verifier.service';
import { Role } from '../../src/engine/principal';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';
import { auditOf, AuditRow, personSelection, releasedIn, unaudited } from './support/disclosures';
import { LoadResult, startLoad } from './support/load-loop';
import { RestartablePostgres, startRestartablePostgres } from './support/restartable-postgres';

/**
 * PostgreSQL restarted, and crashed, under a bounded load of person views, household views and writes
 * (loopback, four clients): requests in flight fail with a code and nothing else, readiness goes 503 and
 * back to 200, the hub reconnects by itself, and afterwards every answer that carried personal data has its
 * audit events, every write its event (and no event its write), and the audit chain verifies.
 */

jest.setTimeout(240_000);

type Kind = 'person' | 'household' | 'assign';
interface Sent {
  kind: Kind;
  requestId: string;
  subject: string;
}
interface GraphqlBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

/** What a failure during the outage may say: the database, or the audit trail it holds, was away. */
const OUTAGE_CODES = ['DATABASE_UNAVAILABLE', 'AUDIT_UNAVAILABLE'];
/** The driver's own words, which name the server, its port or its state, must never reach a client. */
const DRIVER_TEXT = /ECONN|127\.0\.0\.1|terminat|starting up|shutting down|postgres|Unexpected error value/i;

describe('PostgreSQL restarted under load', () => {
  let pg: RestartablePostgres;
  let hub: SingleViewHub;
  const savedServer = process.env.TEST_DATABASE_URL;
  const tokens = new Map<Kind, string>();
  let persons: string[];
  let households: string[];

  beforeAll(async () => {
    pg = await startRestartablePostgres();
    // The suite's database and the hub go on this server, which the test may stop; the run's shared one is left alone.
    process.env.TEST_DATABASE_URL = pg.url;
    hub = await startSingleViewHub({
      households: 40,
      seed: 'database-restart',
      // Budgets on, so the load goes through them (they are counted in the database), but never reached.
      env: { RATE_LIMIT_PER_MINUTE: '100000', PERSONS_PER_MINUTE: '100000', PERSONS_PER_DAY: '1000000' },
    });
    tokens.set('person', await hub.token({ subject: 'ds-dana', organisation: 'council', roles: [Role.DataSteward] }));
    tokens.set(
      'household',
      await hub.token({
        subject: 'am-alice',
        organisation: 'council',
        roles: [Role.AccountManager],
        team: 'early-help-north',
      }),
    );
    tokens.set('assign', await hub.token({ subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] }));
    persons = (
      await hub.db.dataSource.query(`select id::text from person where status = 'active' order by id limit 40`)
    ).map((r: { id: string }) => r.id);
    households = (
      await hub.db.dataSource.query(
        `select household_id::text as id from household_membership where valid_to is null group by household_id order by count(*) desc, household_id limit 3`,
      )
    ).map((r: { id: string }) => r.id);
    const admin = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
    for (const id of households)
      await hub.app
        .get(CaseAssignmentsService)
        .assign({ subjectKind: 'household', subjectId: id, team: 'early-help-north' }, admin);
  });
  afterAll(async () => {
    await pg?.start().catch(() => undefined);
    await hub?.stop();
    process.env.TEST_DATABASE_URL = savedServer;
    await pg?.destroy();
  });

  const queryOf = (sent: Sent) =>
    sent.kind === 'person'
      ? `{ person(id: "${sent.subject}") { id givenName familyName dateOfBirth } }`
      : sent.kind === 'household'
        ? `{ household(id: "${sent.subject}") { id members { person { ${personSelection} } } } }`
        : `mutation { assignCase(input: { subjectKind: PERSON, subjectId: "${sent.subject}", team: "load-${sent.requestId}" }) { id } }`;

  const send = async (sent: Sent) => {
    try {
      const res = await request(hub.server)
        .post('/graphql')
        .set('authorization', `Bearer ${tokens.get(sent.kind)}`)
        .set('x-request-id', sent.requestId)
        .set(
          sent.kind === 'person'
            ? { 'x-purpose': 'DATA_QUALITY' }
            : sent.kind === 'household'
              ? { 'x-purpose': 'EARLY_HELP' }
              : {},
        )
        .timeout(30_000)
        .send({ query: queryOf(sent) });
      return { status: res.status, body: res.body as unknown };
    } catch (error) {
      return { status: 0, body: { transportError: String(error) } };
    }
  };

  const health = async () => (await request(hub.server).get('/health').timeout(10_000)).status;
  const until = async (test: () => Promise<boolean>, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await test())) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return timeoutMs - (deadline - Date.now());
  };

  /** Personal data or a change that the answer says went through. */
  const succeeded = (r: LoadResult<Sent>): boolean => {
    const data = (r.body as GraphqlBody).data;
    if (r.request.kind === 'person') return !!(data?.person as { givenName?: string } | null)?.givenName;
    if (r.request.kind === 'household')
      return ((data?.household as { members?: unknown[] } | null)?.members?.length ?? 0) > 0;
    return !!(data?.assignCase as { id?: string } | null)?.id;
  };
  const fullySucceeded = (r: LoadResult<Sent>) => r.status === 200 && succeeded(r) && !(r.body as GraphqlBody).errors;

  it('fails requests in flight with a code, goes unready and back, reconnects by itself, and loses no audit event', async () => {
    // Healthy first: every kind of request answers in full, with no error at all.
    for (const kind of ['person', 'household', 'assign'] as const) {
      const sent = { kind, requestId: randomUUID(), subject: kind === 'household' ? households[0] : persons[0] };
      const { status, body } = await send(sent);
      expect({ kind, status, errors: (body as GraphqlBody).errors }).toEqual({ kind, status: 200, errors: undefined });
    }

    const kinds: Kind[] = ['person', 'person', 'household', 'assign'];
    const load = startLoad<Sent>({
      clients: kinds.length,
      maxMs: 120_000,
      maxRequests: 20_000,
      next: (client, i) => {
        const kind = kinds[client];
        const pool = kind === 'household' ? households : persons;
        return { kind, requestId: randomUUID(), subject: pool[(i * 7 + client) % pool.length] };
      },
      send,
    });
    const outages: { how: string; down: number; up: number; recoveredMs: number }[] = [];
    try {
      for (const how of ['restart', 'crash'] as const) {
        await load.waitFor(fullySucceeded, 20, 30_000);
        const down = Date.now();
        await (how === 'restart' ? pg.stop() : pg.crash());
        await until(async () => (await health()) === 503, 15_000, 'readiness going down');
        // Down for a while, and long enough for every client to be turned away at least once.
        await Promise.all([
          load.waitFor((r) => r.startedAt >= down && !succeeded(r), kinds.length * 2, 30_000),
          new Promise((resolve) => setTimeout(resolve, 1500)),
        ]);
        await pg.start();
        const up = Date.now();
        const recoveredMs = await until(async () => (await health()) === 200, 30_000, 'readiness coming back');
        outages.push({ how, down, up, recoveredMs });
        // Reconnected by itself: every kind of request answers in full again.
        for (const kind of ['person', 'household', 'assign'] as const)
          await load.waitFor((r) => r.request.kind === kind && fullySucceeded(r), 3, 30_000);
      }
    } finally {
      await load.stop();
    }
    const results = load.results;

    // Nothing hung, nothing came back as a transport failure or an HTTP 500.
    expect(results.filter((r) => r.status !== 200).map((r) => [r.status, r.body])).toEqual([]);
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(30_000);

    // Every failure is coded, and coded for the outage; no stack, no driver text.
    const failed = results.filter((r) => (r.body as GraphqlBody).errors);
    const errors = failed.flatMap((r) => (r.body as GraphqlBody).errors!);
    expect(errors.length).toBeGreaterThan(0);
    expect(
      errors
        .filter((e) => !OUTAGE_CODES.includes(String(e.extensions?.code)))
        .map((e) => ({ code: e.extensions?.code, path: e.path, message: e.message })),
    ).toEqual([]);
    expect(errors.filter((e) => e.extensions?.stacktrace || DRIVER_TEXT.test(e.message))).toEqual([]);
    for (const { down, up } of outages) {
      const during = failed.filter((r) => r.startedAt >= down && r.startedAt <= up);
      expect(during.flatMap((r) => (r.body as GraphqlBody).errors!.map((e) => e.extensions?.code))).toContain(
        'DATABASE_UNAVAILABLE',
      );
    }
    // Requests already in flight when the server went (sent before, answered after) failed in the same way.
    const inFlight = results.filter(
      (r) => outages.some((o) => r.startedAt < o.down && r.startedAt + r.ms > o.down) && !succeeded(r),
    );
    expect(inFlight.length).toBeGreaterThan(0);
    // A failed request released nothing: its data is null wherever it failed.
    for (const r of failed) {
      const data = (r.body as GraphqlBody).data;
      if (r.request.kind === 'person') expect(data?.person ?? null).toBeNull();
      if (r.request.kind === 'assign') expect(data?.assignCase ?? null).toBeNull();
    }

    // Every answer with personal data has its audit events, field by field.
    const disclosed = results.filter((r) => r.request.kind !== 'assign' && succeeded(r));
    const events = await auditOf(
      hub.db.dataSource,
      disclosed.map((r) => r.request.requestId),
    );
    const missing: { requestId: string; person: string; fields: unknown }[] = [];
    for (const r of disclosed) {
      const data = (r.body as GraphqlBody).data!;
      const people =
        r.request.kind === 'person'
          ? [data.person as Record<string, unknown>]
          : ((data.household as { members: { person: Record<string, unknown> | null }[] }).members
              .map((m) => m.person)
              .filter(Boolean) as Record<string, unknown>[]);
      for (const person of people) {
        const fields = unaudited(person, events.get(r.request.requestId) ?? []);
        if (releasedIn(person).length === 0 || fields.length > 0)
          missing.push({ requestId: r.request.requestId, person: String(person.id), fields });
      }
    }
    expect(disclosed.length).toBeGreaterThan(40);
    expect(missing).toEqual([]);

    // Writes: each committed with its audit event or not at all, whatever the client heard.
    const rows: { id: string }[] = await hub.db.dataSource.query(
      `select id::text from case_assignment where team like 'load-%'`,
    );
    const logged: AuditRow[] = await hub.db.dataSource.query(
      `select detail from audit_event where operation = 'case-assignment.create' and detail ->> 'team' like 'load-%'`,
    );
    const loggedIds = logged.map((e) => String(e.detail!.assignmentId)).sort();
    expect(loggedIds).toEqual(rows.map((r) => r.id).sort());
    expect(new Set(loggedIds).size).toBe(loggedIds.length);
    const heard = results
      .filter((r) => r.request.kind === 'assign' && succeeded(r))
      .map((r) => ((r.body as GraphqlBody).data!.assignCase as { id: string }).id);
    expect(heard.filter((id) => !loggedIds.includes(id))).toEqual([]);

    // The chain is whole.
    const verified = await hub.app.get(AuditVerifierService).verify();
    expect(verified).toMatchObject({ valid: true, firstBrokenSeq: null });

    process.stdout.write(
      `database restart: ${results.length} requests, ${disclosed.length} disclosures, ${failed.length} failed (${[...new Set(errors.map((e) => e.extensions?.code))].join(', ')}); ` +
        `${inFlight.length} of them in flight when the server went; ` +
        outages.map((o) => `${o.how}: ready again ${o.recoveredMs} ms after the server was`).join('; ') +
        `; slowest ${Math.max(...results.map((r) => r.ms))} ms\n`,
    );
  });
});
