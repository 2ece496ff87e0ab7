import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * Floods and refusals (#15, items 8, 9 and 12): failed sign-ins throttled per client address before they
 * reach the audit trail, refusals audited (counted where floods are possible, nothing lost at shutdown),
 * 429 with Retry-After for GraphQL and plain HTTP, household.view events naming the household, readiness
 * details for operators only, and GraphQL at exactly `/graphql`. Every loop is bounded and on loopback.
 */

jest.setTimeout(120_000);

interface AuditRow {
  seq: string;
  operation: string;
  decision: string;
  reasons: string[];
  detail: Record<string, unknown> | null;
  actor_subject: string | null;
  persons: string[];
  households: string[];
  request_id: string | null;
}

type GraphqlError = { extensions: { code: string; details?: Record<string, unknown> } };

const auditRows = (hub: { db: TestHub['db'] }, where: string, params: unknown[] = []) =>
  hub.db.dataSource.query(
    `select seq, operation, decision, reasons, detail, actor_subject, persons, households, request_id from audit_event where ${where} order by seq`,
    params,
  ) as Promise<AuditRow[]>;

/** `count` calls of `send`, at most `parallel` at a time. */
async function inBatches<T>(count: number, parallel: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += parallel) {
    results.push(
      ...(await Promise.all(Array.from({ length: Math.min(parallel, count - start) }, (_, k) => send(start + k)))),
    );
  }
  return results;
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error('not within the time allowed');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('floods and refusals (one address, one minute)', () => {
  const FAILURES = 5;
  const AUDITED = 3;
  const PER_MINUTE = 10;
  const FLOOD = 200;
  let hub: TestHub;
  let stopped = false;
  const token = (who: Partial<DevTokenRequest> & { subject: string }) =>
    hub.app.get(DevTokenIssuer).issue({ organisation: 'council', roles: [Role.Caseworker], ...who });
  const graphql = (query: string, headers: Record<string, string> = {}) =>
    request(hub.server).post('/graphql').set(headers).send({ query });

  beforeAll(async () => {
    hub = await startTestHub({
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-floods-')),
      AUTH_FAILURES_PER_WINDOW: String(FAILURES),
      REFUSALS_AUDITED_PER_WINDOW: String(AUDITED),
      RATE_LIMIT_PER_MINUTE: String(PER_MINUTE),
    });
  });
  afterAll(async () => {
    if (!stopped) await hub.stop();
  });

  describe('readiness (item 12)', () => {
    it('answers anyone up or down only: no audit head, no checkpoint, no problem', async () => {
      const res = await request(hub.server).get('/health').expect(200);
      expect(res.body).toEqual({ status: 'up' });
    });

    it('gives an operator (admin or dpo) the checks behind the answer', async () => {
      for (const roles of [[Role.Admin], [Role.Dpo]]) {
        const res = await request(hub.server)
          .get('/health')
          .set('authorization', `Bearer ${await token({ subject: `ops-${roles[0]}`, roles })}`)
          .expect(200);
        expect(res.body.status).toBe('ok');
        expect(res.body.info.audit).toEqual({ status: 'up', headSeq: expect.any(Number), lastCheckpoint: null });
        expect(res.body.info.database).toEqual({ status: 'up' });
      }
    });

    it('gives anyone else with a valid token the public answer', async () => {
      const res = await request(hub.server)
        .get('/health')
        .set('authorization', `Bearer ${await token({ subject: 'cw-health' })}`)
        .expect(200);
      expect(res.body).toEqual({ status: 'up' });
    });
  });

  describe('routing (item 12)', () => {
    it('answers GraphQL at exactly /graphql, nowhere under it and in no other case', async () => {
      const query = { query: '{ hubInfo { version } }' };
      expect((await request(hub.server).post('/graphql').send(query).expect(200)).body.data.hubInfo.version).toEqual(
        expect.any(String),
      );
      for (const path of ['/graphql/x', '/graphql/', '/GRAPHQL', '/GraphQL', '/graphql/graphql']) {
        const res = await request(hub.server).post(path).send(query);
        expect({ path, status: res.status }).toEqual({ path, status: 404 });
        expect(JSON.stringify(res.body)).not.toContain('hubInfo');
        expect(res.body.data).toBeUndefined();
      }
      expect(
        (
          await request(hub.server)
            .get('/graphql/x?query=%7BhubInfo%7Bversion%7D%7D')
            .set('apollo-require-preflight', 'true')
        ).status,
      ).toBe(404);
    });

    it('answers routes at their exact path only', async () => {
      await request(hub.server).get('/health/live').expect(200);
      for (const path of ['/health/', '/Health', '/HEALTH/live', '/health/live/'])
        expect({ path, status: (await request(hub.server).get(path)).status }).toEqual({ path, status: 404 });
    });
  });

  describe('refused access contexts (item 9)', () => {
    const person = `{ person(id: "${randomUUID()}") { id } }`;

    it.each([
      ['no x-purpose', {}, 'PURPOSE_REQUIRED', 'x-purpose', undefined],
      [
        'a well-formed purpose not in the catalogue',
        { 'x-purpose': 'WANDERING' },
        'UNKNOWN_PURPOSE',
        'x-purpose',
        'WANDERING',
      ],
      ['a purpose that is not a code', { 'x-purpose': 'jane doe 1970' }, 'UNKNOWN_PURPOSE', 'x-purpose', undefined],
      [
        'a malformed x-break-glass',
        { 'x-purpose': 'EARLY_HELP', 'x-break-glass': 'Robert Smith' },
        'INVALID_ACCESS_CONTEXT',
        'x-break-glass',
        undefined,
      ],
      [
        'a malformed x-case-reference',
        { 'x-purpose': 'EARLY_HELP', 'x-case-reference': 'Robert Smith, 12 Acacia Ave' },
        'INVALID_ACCESS_CONTEXT',
        'x-case-reference',
        undefined,
      ],
    ])(
      'audits a request refused for %s, naming the header but never what it held',
      async (name, headers: Record<string, string>, code, header, claimedPurpose) => {
        const subject = `cw-${name.replace(/\W+/g, '-')}`;
        const requestId = randomUUID();
        // Two root fields: one refusal, one event.
        const res = await graphql(
          `{ a: person(id: "${randomUUID()}") { id } b: person(id: "${randomUUID()}") { id } }`,
          {
            authorization: `Bearer ${await token({ subject })}`,
            'x-request-id': requestId,
            ...headers,
          },
        ).expect(200);
        expect(res.body.errors.map((e: GraphqlError) => e.extensions.code)).toEqual([code, code]);
        const events = await auditRows(hub, `request_id = $1`, [requestId]);
        expect(events).toEqual([
          expect.objectContaining({
            operation: 'access.context-refused',
            decision: 'deny',
            actor_subject: subject,
            detail: { code, header, path: '/graphql', ...(claimedPurpose ? { claimedPurpose } : {}) },
          }),
        ]);
        for (const value of Object.values(headers).filter((v) => v !== 'EARLY_HELP' && v !== claimedPurpose))
          expect(JSON.stringify(events)).not.toContain(value);
      },
    );

    it('counts a client looping without a purpose beyond the budget instead of writing an event each', async () => {
      const looping = await token({ subject: 'cw-looping' });
      const codes = await inBatches(
        PER_MINUTE - 2,
        4,
        async () =>
          (await graphql(person, { authorization: `Bearer ${looping}` }).expect(200)).body.errors[0].extensions.code,
      );
      expect(codes).toEqual(Array(PER_MINUTE - 2).fill('PURPOSE_REQUIRED'));
      expect(
        await auditRows(hub, `operation = 'access.context-refused' and actor_subject = 'cw-looping'`),
      ).toHaveLength(AUDITED);
      // The rest are counted, and written when the window closes (see the last test: at shutdown at the latest).
      expect(await auditRows(hub, `operation = 'access.context-refused.aggregate'`)).toEqual([]);
    });
  });

  describe('a verified client over its budget (items 8 and 9)', () => {
    it('is answered 429 with Retry-After and the RATE_LIMITED code, and audited', async () => {
      const busy = await token({ subject: 'cw-busy' });
      const answers = await inBatches(PER_MINUTE + AUDITED + 1, 1, () =>
        graphql('{ me { subject } }', { authorization: `Bearer ${busy}` }),
      );
      expect(answers.slice(0, PER_MINUTE).map((res) => res.status)).toEqual(Array(PER_MINUTE).fill(200));
      for (const res of answers.slice(PER_MINUTE)) {
        expect(res.status).toBe(429);
        expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
        expect(res.body.errors[0].extensions).toMatchObject({
          code: 'RATE_LIMITED',
          details: { retryAfterSeconds: Number(res.headers['retry-after']) },
        });
        expect(res.body.data?.me ?? null).toBeNull();
      }
      const refused = await auditRows(hub, `operation = 'rate-limit.refused'`);
      expect(refused).toHaveLength(AUDITED);
      expect(refused.every((event) => event.actor_subject === 'cw-busy' && event.decision === 'deny')).toBe(true);
    });
  });

  describe('a flood of bad tokens from one address (item 8)', () => {
    it(`writes ${FAILURES} auth.failure events for ${FLOOD} failed sign-ins, answers the rest 429, and still serves a valid token`, async () => {
      const statuses = await inBatches(FLOOD, 20, async (i) => {
        const req = request(hub.server)
          .post('/graphql')
          .set('x-forwarded-for', `198.51.100.${i % 250}`);
        if (i % 2) req.set('authorization', `Bearer not-a-token-${i}`);
        const res = await req.send({ query: '{ me { subject } }' });
        if (res.status === 429) {
          expect(res.headers['retry-after']).toMatch(/^\d+$/);
          expect(res.body.errors[0].extensions.code).toBe('RATE_LIMITED');
          expect(res.headers['www-authenticate']).toBeUndefined();
        } else {
          expect(res.status).toBe(401);
          expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
        }
        return res.status;
      });
      expect(statuses.filter((s) => s === 401)).toHaveLength(FAILURES);
      expect(statuses.filter((s) => s === 429)).toHaveLength(FLOOD - FAILURES);
      // Without TRUST_PROXY a forwarded address is the client's word, not its address: one budget for all.
      const failures = await auditRows(hub, `operation = 'auth.failure'`);
      expect(failures).toHaveLength(FAILURES);
      expect(failures.every((event) => event.detail?.address === '127.0.0.1')).toBe(true);

      // A shared address (a partner's gateway) does not lock out the valid clients behind it.
      const me = await graphql('{ me { subject } }', {
        authorization: `Bearer ${await token({ subject: 'cw-same-address' })}`,
      }).expect(200);
      expect(me.body.data.me.subject).toBe('cw-same-address');
    });

    it('answers plain HTTP over the budget with 429 and Retry-After too', async () => {
      const res = await request(hub.server).get('/health').set('authorization', 'Bearer junk').expect(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(res.body).toMatchObject({
        code: 'RATE_LIMITED',
        details: { retryAfterSeconds: Number(res.headers['retry-after']) },
      });
    });
  });

  it('writes every count when the hub stops, before the audit trail closes: nothing is lost', async () => {
    stopped = true;
    await hub.close();
    const aggregates = await auditRows(hub, `operation like '%.aggregate'`);
    const byOperation = new Map(aggregates.map((event) => [event.operation, event]));
    expect([...byOperation.keys()].sort()).toEqual([
      'access.context-refused.aggregate',
      'auth.failure.aggregate',
      'rate-limit.refused.aggregate',
    ]);
    expect(aggregates).toHaveLength(3);

    const flood = byOperation.get('auth.failure.aggregate')!;
    // The flood, and the one plain-HTTP request after it.
    const counted = FLOOD - FAILURES + 1;
    expect(flood).toMatchObject({ decision: 'deny', actor_subject: null });
    expect(flood.detail).toMatchObject({
      address: '127.0.0.1',
      answered: 429,
      count: counted,
      from: expect.any(String),
      to: expect.any(String),
    });
    const byReason = flood.detail!.byReason as Record<string, number>;
    expect(Object.values(byReason).reduce((a, b) => a + b, 0)).toBe(counted);
    expect(Object.keys(byReason).sort()).toEqual(['malformed-token', 'missing-token']);

    expect(byOperation.get('rate-limit.refused.aggregate')).toMatchObject({
      actor_subject: 'cw-busy',
      detail: expect.objectContaining({ client: 'council/cw-busy', count: 1 }),
    });
    expect(byOperation.get('access.context-refused.aggregate')).toMatchObject({
      actor_subject: 'cw-looping',
      detail: expect.objectContaining({
        client: 'council/cw-looping',
        count: PER_MINUTE - 2 - AUDITED,
        byReason: { PURPOSE_REQUIRED: PER_MINUTE - 2 - AUDITED },
      }),
    });
    await hub.db.drop();
  });
});

describe('floods behind a proxy (TRUST_PROXY) and windows that close', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-floods-proxy-')),
      TRUST_PROXY: 'loopback',
      AUTH_FAILURES_PER_WINDOW: '2',
      REFUSAL_WINDOW_SECONDS: '4',
    });
  });
  afterAll(() => hub.stop());

  const fail = (forwardedFor: string) =>
    request(hub.server)
      .post('/graphql')
      .set('x-forwarded-for', forwardedFor)
      .set('authorization', 'Bearer x.y.z')
      .send({ query: '{ me { subject } }' });

  it('counts failures against the address the trusted proxy forwarded, an IPv6 client by its /64, and writes the count when the window closes', async () => {
    const statuses = async (address: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await fail(address)).status);
      return out;
    };
    expect(await statuses('203.0.113.7', 4)).toEqual([401, 401, 429, 429]);
    // Another client behind the same proxy has a budget of its own.
    expect(await statuses('192.0.2.44', 1)).toEqual([401]);
    expect(await statuses('2001:db8:1:2::a', 2)).toEqual([401, 401]);
    expect(await statuses('2001:db8:1:2:ffff::b', 1)).toEqual([429]);
    expect(await statuses('2001:db8:1:3::a', 1)).toEqual([401]);

    const failures = await auditRows(hub, `operation = 'auth.failure'`);
    expect(failures.map((event) => event.detail?.address)).toEqual([
      '203.0.113.7',
      '203.0.113.7',
      '192.0.2.44',
      '2001:db8:1:2::a',
      '2001:db8:1:2::a',
      '2001:db8:1:3::a',
    ]);

    // Nothing stops the hub here: the window's end writes the counts.
    const aggregates = await eventually(async () => {
      const rows = await auditRows(hub, `operation = 'auth.failure.aggregate'`);
      return rows.length === 2 ? rows : undefined;
    });
    expect(Object.fromEntries(aggregates.map((event) => [event.detail?.address, event.detail?.count]))).toEqual({
      '203.0.113.7': 2,
      '2001:db8:1:2::/64': 1,
    });
    expect(aggregates[0].detail?.byReason).toEqual({ 'malformed-token': expect.any(Number) });

    // A new window, a new budget.
    expect(await statuses('203.0.113.7', 1)).toEqual([401]);
  });
});

describe('household.view names the household (item 9)', () => {
  let hub: SingleViewHub;
  let household: { id: string; members: string[] };
  const alice: DevTokenRequest = {
    subject: 'am-alice',
    organisation: 'council',
    roles: [Role.AccountManager],
    team: 'early-help-north',
  };

  beforeAll(async () => {
    hub = await startSingleViewHub({ households: 40, seed: 'floods' });
    const [row] = await hub.db.dataSource.query(`
      select household_id::text as id, array_agg(person_id::text order by person_id) as members
        from household_membership where valid_to is null group by household_id having count(*) > 1 order by household_id limit 1`);
    household = row;
    await hub.app
      .get(CaseAssignmentsService)
      .assign(
        { subjectKind: 'household', subjectId: household.id, team: 'early-help-north' },
        { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] },
      );
  });
  afterAll(() => hub?.stop());

  it.each([
    ['household(id)', () => `{ household(id: "${household.id}") { id members { person { id givenName } } } }`],
    [
      "a person's household",
      () =>
        `{ person(id: "${household.members[0]}") { id givenName household { id members { person { id givenName } } } } }`,
    ],
  ])('in every member event of %s', async (_name, query) => {
    const requestId = randomUUID();
    const res = await request(hub.server)
      .post('/graphql')
      .set('authorization', `Bearer ${await hub.token(alice)}`)
      .set('x-purpose', 'EARLY_HELP')
      .set('x-request-id', requestId)
      .send({ query: query() })
      .expect(200);
    expect(res.body.errors).toBeUndefined();
    const views = await auditRows(hub, `request_id = $1 and operation = 'household.view'`, [requestId]);
    expect(views.map((event) => event.persons[0]).sort()).toEqual(household.members);
    for (const event of views) expect(event.households).toEqual([household.id]);
  });
});
