import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import PgBoss from 'pg-boss';
import request from 'supertest';
import { CaseAssignmentsService } from '../../src/access/relationships/case-assignments.service';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { MetricsEndpoint } from '../../src/metrics/metrics.module';
import { quarantinePurgeQueue, syncQueue } from '../../src/sources/sync/sync-scheduler.service';
import { breakAuditInserts, disclosure } from '../support/audit-fixtures';
import { PersonalValues, personalValuesIn, personalValuesOf, Scrape } from '../support/metrics-scrape';
import { SingleViewHub, startSingleViewHub } from '../support/single-view-hub';
import { startTestHub, TestHub } from '../support/test-hub';

/**
 * /metrics scraped over HTTP and parsed by a Prometheus text parser: the families an operations team
 * watches exist, move by what the requests did (checked against the audit trail, the sources' own call
 * counts and the database), carry no personal data in any label, and are served only where configured.
 */

jest.setTimeout(180_000);

const admin = { subject: 'admin-ash', organisation: 'council', roles: [Role.Admin] };
const alice: DevTokenRequest = {
  subject: 'am-alice',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-north',
};
const bob: DevTokenRequest = {
  subject: 'am-bob',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-south',
};
const nhs: DevTokenRequest = {
  subject: 'nhs-safeguarding-system',
  organisation: 'nhs-trust',
  roles: [Role.PartnerAgency],
  client: 'nhs-safeguarding',
};

const sources = ['housing', 'benefits', 'social-care'];
const families = [
  'hub_http_request_duration_seconds',
  'hub_graphql_operation_duration_seconds',
  'hub_graphql_errors_total',
  'hub_policy_decisions_total',
  'hub_audit_appends_total',
  'hub_audit_append_duration_seconds',
  'hub_audit_append_failing',
  'hub_audit_chain_head_seq',
  'hub_audit_checkpoint_seq',
  'hub_audit_checkpoint_age_seconds',
  'hub_source_lookups_total',
  'hub_source_lookup_duration_seconds',
  'hub_source_breaker_state',
  'hub_sync_records_total',
  'hub_sync_runs_total',
  'hub_sync_last_success_timestamp_seconds',
  'hub_sync_status',
  'hub_matching_records_total',
  'hub_matching_reviews_opened_total',
  'hub_matching_pending_records',
  'hub_matching_pending_reviews',
  'hub_db_pool_connections',
  'hub_db_pool_waiting',
  'hub_db_pool_max',
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_p99_seconds',
  'nodejs_heap_size_used_bytes',
  'process_resident_memory_bytes',
];

describe('metrics on the main port behind METRICS_TOKEN', () => {
  const token = randomBytes(32).toString('hex');
  let hub: SingleViewHub;
  const tokens = new Map<string, string>();
  /** A person on alice's caseload known to every source, and the household it is in. */
  let member: { id: string; household: string };

  const scrape = async () =>
    new Scrape((await request(hub.server).get('/metrics').set('authorization', `Bearer ${token}`).expect(200)).text);
  const ask = (who: string | undefined, query: string, headers: Record<string, string> = {}) => {
    const req = request(hub.server).post('/graphql').set(headers);
    if (who) req.set('authorization', `Bearer ${tokens.get(who)}`);
    return req.send({ query });
  };
  const auditHead = async () =>
    Number((await hub.db.dataSource.query('select seq from audit_chain_head where id = 1'))[0].seq);

  beforeAll(async () => {
    hub = await startSingleViewHub({
      households: 80,
      seed: 'metrics',
      env: { METRICS_TOKEN: token, SINGLE_VIEW_BREAKER_THRESHOLD: '2', SINGLE_VIEW_BREAKER_HALF_OPEN_MS: '600000' },
    });
    for (const [name, who] of Object.entries({ alice, bob, nhs })) tokens.set(name, await hub.token(who));
    const [found] = await hub.db.dataSource.query(`
      select m.person_id::text as id, m.household_id::text as household
        from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
       where m.valid_to is null and not r.deleted
       group by m.person_id, m.household_id having count(distinct r.source) filter (where r.source in ('housing', 'benefits', 'social-care')) = 3
       order by m.person_id limit 1`);
    if (!found) throw new Error('the test borough has no person known to all three sources');
    member = found;
    await hub.app
      .get(CaseAssignmentsService)
      .assign({ subjectKind: 'household', subjectId: member.household, team: 'early-help-north' }, admin);
  });
  afterAll(() => hub?.stop());

  it('answers /metrics only with the token, in a text format a Prometheus parser reads, with every family', async () => {
    expect((await request(hub.server).get('/metrics').expect(401)).headers['www-authenticate']).toMatch(/^Bearer/);
    await request(hub.server)
      .get('/metrics')
      .set('authorization', `Bearer ${randomBytes(32).toString('hex')}`)
      .expect(401);
    await request(hub.server)
      .get('/metrics')
      .set('authorization', `Bearer ${token.slice(0, -1)}`)
      .expect(401);
    await request(hub.server).get('/metrics').set('authorization', token).expect(401);
    // A hub token is not the metrics token.
    await request(hub.server)
      .get('/metrics')
      .set('authorization', `Bearer ${tokens.get('alice')}`)
      .expect(401);
    const res = await request(hub.server).get('/metrics').set('authorization', `Bearer ${token}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.headers['cache-control']).toBe('no-store');
    const scraped = new Scrape(res.text);
    const missing = families.filter((name) => !scraped.families.has(name));
    expect(missing).toEqual([]);
    expect(scraped.family('hub_policy_decisions_total').type).toBe('COUNTER');
    expect(scraped.family('hub_audit_append_duration_seconds').type).toBe('HISTOGRAM');
    expect(scraped.family('hub_source_breaker_state').type).toBe('GAUGE');
  });

  it('has every metric the documentation, the alert rules and the dashboard name', async () => {
    const scraped = await scrape();
    const docs = ['monitoring.md', 'prometheus-alerts.yml', 'grafana-dashboard.json'].map((file) =>
      readFileSync(join(__dirname, '../../docs', file), 'utf8'),
    );
    const named = [...new Set(docs.flatMap((text) => text.match(/\b(hub|nodejs|process)_[a-z0-9_]+/g) ?? []))];
    // A histogram is named by its family; its series by _bucket, _count and _sum.
    const family = (name: string) => (scraped.families.has(name) ? name : name.replace(/_(bucket|count|sum)$/, ''));
    expect(named.length).toBeGreaterThan(25);
    expect(named.filter((name) => !scraped.families.has(family(name)))).toEqual([]);
  });

  it('counts the sync and the matching that loaded the hub, as the database records them', async () => {
    const scraped = await scrape();
    for (const source of sources) {
      const [run] = await hub.db.dataSource.query(
        `select counts from source_sync_run where source = $1 and status = 'complete'`,
        [source],
      );
      for (const change of ['received', 'inserted', 'updated', 'unchanged', 'deleted', 'swept']) {
        expect([source, change, scraped.value('hub_sync_records_total', { source, change })]).toEqual([
          source,
          change,
          Number(run.counts[change] ?? 0),
        ]);
      }
      const [{ n }] = await hub.db.dataSource.query('select count(*)::int as n from source_record where source = $1', [
        source,
      ]);
      expect(scraped.value('hub_sync_records_total', { source, change: 'inserted' })).toBe(n);
      expect(n).toBeGreaterThan(0);
      expect(scraped.value('hub_sync_runs_total', { source, status: 'complete' })).toBe(1);
      const [{ at }] = await hub.db.dataSource.query(
        'select extract(epoch from last_success_at)::float8 as at from source_sync_state where source = $1',
        [source],
      );
      expect(scraped.value('hub_sync_last_success_timestamp_seconds', { source })).toBeCloseTo(at, 3);
      expect(scraped.value('hub_sync_status', { source, status: 'idle' })).toBe(1);
      expect(scraped.value('hub_sync_status', { source, status: 'failed' })).toBe(0);
    }
    // Every record matched once: linked to a person, a new person, or (deleted) unlinked.
    const [{ records, reviews, pending }] = await hub.db.dataSource.query(`
      select (select count(*)::int from source_record) as records, (select count(*)::int from match_review) as reviews,
             (select count(*)::int from match_review where status = 'pending') as pending`);
    expect(scraped.value('hub_matching_records_total')).toBe(records);
    expect(scraped.value('hub_matching_records_total', { outcome: 'new-person' })).toBe(
      Number((await hub.db.dataSource.query(`select count(*)::int as n from person_link where method = 'new'`))[0].n),
    );
    expect(scraped.value('hub_matching_reviews_opened_total')).toBe(reviews);
    expect(scraped.value('hub_matching_pending_reviews')).toBe(pending);
    expect(scraped.value('hub_matching_pending_records')).toBe(0);
    expect(scraped.value('hub_audit_chain_head_seq')).toBe(await auditHead());
    expect(scraped.value('hub_db_pool_max')).toBeGreaterThan(0);
  });

  it('counts a person view, a refusal and a request without a token by what happened to each', async () => {
    hub.resetCalls();
    const headBefore = await auditHead();
    const before = await scrape();
    const query = (operationName: string) =>
      `query ${operationName} { person(id: "${member.id}") { id givenName housing { tenancies { tenure } } benefits { housingBenefitClaims { status } } socialCare { childrenSocialCare { caseType } } } }`;
    // The client's operation name is the client's choice: never a label.
    const clientName = `Lookup${randomUUID().replaceAll('-', '')}`;
    const requestIds = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const answers = [
      await ask('alice', query(clientName), { 'x-purpose': 'EARLY_HELP', 'x-request-id': requestIds[0] }).expect(200),
      await ask('bob', query('Q'), { 'x-purpose': 'EARLY_HELP', 'x-request-id': requestIds[1] }).expect(200),
      // Refused whole by the agreement gate: the agreement requires a case reference.
      await ask('nhs', query('Q'), { 'x-purpose': 'SAFEGUARDING', 'x-request-id': requestIds[2] }).expect(200),
      await ask(undefined, query('Q'), { 'x-purpose': 'EARLY_HELP', 'x-request-id': requestIds[3] }).expect(401),
    ];
    expect(answers[0].body.errors).toBeUndefined();
    expect(answers[0].body.data.person.givenName).toEqual(expect.any(String));
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      after.value(name, labels) - before.value(name, labels);

    // Decisions: one per subject, and one deny for an operation the agreement gate refused, as the audit trail has them.
    const events: { operation: string; decision: string; request_id: string | null }[] = await hub.db.dataSource.query(
      'select operation, decision, request_id from audit_event where seq > $1 order by seq',
      [headBefore],
    );
    const decided = events.filter(
      (e) => ['allow', 'allow-with-redactions', 'deny'].includes(e.decision) && e.operation === 'person.view',
    );
    expect(decided.map((e) => [e.request_id, e.decision])).toEqual([
      [requestIds[0], 'allow'],
      [requestIds[1], 'deny'],
      [requestIds[2], 'deny'],
    ]);
    for (const outcome of ['allow', 'allow-with-redactions', 'deny']) {
      expect([outcome, delta('hub_policy_decisions_total', { operation: 'person.view', outcome })]).toEqual([
        outcome,
        decided.filter((e) => e.decision === outcome).length,
      ]);
    }
    expect(delta('hub_policy_decisions_total')).toBe(decided.length);

    // Audit appends: every event written since, by operation, and the chain head where the database has it.
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect(delta('hub_audit_appends_total')).toBe(events.length);
    for (const operation of new Set(events.map((e) => e.operation))) {
      expect([operation, delta('hub_audit_appends_total', { operation })]).toEqual([
        operation,
        events.filter((e) => e.operation === operation).length,
      ]);
    }
    expect(delta('hub_audit_append_duration_seconds', { outcome: 'ok' })).toBe(events.length);
    expect(delta('hub_audit_append_failures_total')).toBe(0);
    expect(after.value('hub_audit_chain_head_seq')).toBe(await auditHead());

    // Source lookups: as many as each source was called, all ok; every breaker closed.
    for (const source of sources) {
      expect(hub.calls.get(source)).toHaveLength(1);
      expect([source, delta('hub_source_lookups_total', { source, outcome: 'ok' })]).toEqual([source, 1]);
      expect(delta('hub_source_lookup_duration_seconds', { source, outcome: 'ok' })).toBe(1);
      expect(after.value('hub_source_breaker_state', { source })).toBe(0);
    }
    expect(delta('hub_source_lookups_total')).toBe(3);

    // GraphQL: four operations on the root field `person`, whatever the clients called them; error codes as answered.
    expect(delta('hub_graphql_operation_duration_seconds', { operation: 'person' })).toBe(4);
    expect(delta('hub_graphql_operation_duration_seconds', { operation: 'person', outcome: 'ok' })).toBe(1);
    const codes = answers.flatMap((answer) =>
      (answer.body.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code),
    );
    expect(codes).toEqual(expect.arrayContaining(['WITHHELD_BY_POLICY', 'CASE_REFERENCE_REQUIRED', 'UNAUTHENTICATED']));
    for (const code of new Set(codes))
      expect([code, delta('hub_graphql_errors_total', { operation: 'person', code })]).toEqual([
        code,
        codes.filter((c) => c === code).length,
      ]);
    expect(after.allLabelValues()).not.toContain(clientName);

    // HTTP: by route and status.
    expect(delta('hub_http_request_duration_seconds', { route: '/graphql', method: 'POST', status: '200' })).toBe(3);
    expect(delta('hub_http_request_duration_seconds', { route: '/graphql', method: 'POST', status: '401' })).toBe(1);
    expect(after.value('hub_http_request_duration_seconds', { route: '/metrics', status: '200' })).toBeGreaterThan(
      before.value('hub_http_request_duration_seconds', { route: '/metrics', status: '200' }),
    );
  });

  it('labels routes by their pattern, never by the path a client sent', async () => {
    const before = await scrape();
    const id = randomUUID();
    await request(hub.server).get(`/dpo/subject-access/${id}`).expect(401);
    await request(hub.server).get(`/no/such/${id}`).expect(404);
    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      after.value('hub_http_request_duration_seconds', labels) -
      before.value('hub_http_request_duration_seconds', labels);
    expect(delta({ route: '/dpo/subject-access/:personId', status: '401' })).toBe(1);
    expect(delta({ route: 'unmatched', status: '404' })).toBe(1);
    expect(after.allLabelValues().filter((value) => value.includes(id))).toEqual([]);
  });

  it('counts failing lookups by outcome and shows the breaker open', async () => {
    hub.resetCalls();
    const before = await scrape();
    const personQuery = `{ person(id: "${member.id}") { id housing { tenancies { tenure } } } }`;
    hub.sources.fail('housing', { mode: '500' });
    try {
      // Threshold 2: two failed lookups open the circuit; the third is not made.
      for (let i = 0; i < 3; i++) {
        const res = await ask('alice', personQuery, { 'x-purpose': 'EARLY_HELP' }).expect(200);
        expect(res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toContain(
          'SOURCE_UNAVAILABLE',
        );
      }
    } finally {
      hub.sources.fail('housing', undefined);
    }
    const after = await scrape();
    const delta = (labels: Record<string, string>) =>
      after.value('hub_source_lookups_total', labels) - before.value('hub_source_lookups_total', labels);
    expect(hub.calls.get('housing')).toHaveLength(2);
    expect(delta({ source: 'housing', outcome: 'error' })).toBe(2);
    expect(delta({ source: 'housing', outcome: 'breaker-open' })).toBe(1);
    expect(delta({ source: 'housing', outcome: 'ok' })).toBe(0);
    expect(after.value('hub_source_breaker_state', { source: 'housing' })).toBe(1);
    expect(after.value('hub_source_breaker_state', { source: 'benefits' })).toBe(0);
  });

  it('carries no personal data in any label of the whole scrape', async () => {
    const scraped = await scrape();
    const personal: PersonalValues = await personalValuesOf(hub.db.dataSource);
    // The check has something to find: the people, their records and the callers' subjects are all there.
    expect(personal.exact.size).toBeGreaterThan(100);
    expect(personal.contained).toEqual(
      expect.arrayContaining([member.id, member.household, 'am-alice', 'am-bob', 'nhs-safeguarding-system']),
    );
    // And it finds one when there is one.
    expect(personalValuesIn(['person.view', member.id, `x${member.household}`], personal)).toEqual([
      member.id,
      `x${member.household}`,
    ]);
    const labels = scraped.allLabelValues();
    expect(labels.length).toBeGreaterThan(30);
    expect(labels).toEqual(expect.arrayContaining(['housing', 'person.view', 'person']));
    expect(personalValuesIn(labels, personal)).toEqual([]);
  });
});

describe('metrics on a port of their own (METRICS_PORT)', () => {
  const token = randomBytes(24).toString('base64url');
  let hub: TestHub;
  let base: string;
  let boss: PgBoss | undefined;
  const scrape = async () =>
    new Scrape((await request(base).get('/metrics').set('authorization', `Bearer ${token}`).expect(200)).text);

  beforeAll(async () => {
    // A schedule, so this instance runs pg-boss and reports its queues; 03:00 does not come during the test.
    hub = await startTestHub({ METRICS_PORT: '0', METRICS_TOKEN: token, SYNC_SCHEDULE: '0 3 * * *' });
    base = `http://127.0.0.1:${hub.app.get(MetricsEndpoint).address()!.port}`;
  });
  afterAll(async () => {
    await boss?.stop({ graceful: false, wait: true }).catch(() => undefined);
    await hub?.stop();
  });

  it('serves /metrics there only, on loopback, with the token, and nothing else', async () => {
    expect(hub.app.get(MetricsEndpoint).address()!.address).toBe('127.0.0.1');
    await request(hub.server).get('/metrics').set('authorization', `Bearer ${token}`).expect(404);
    await request(base).get('/metrics').expect(401);
    await request(base).get('/graphql').expect(404);
    await request(base).get('/health').expect(404);
    await request(base).post('/metrics').set('authorization', `Bearer ${token}`).expect(405);
    const scraped = await scrape();
    expect(
      families.filter(
        (name) => !scraped.families.has(name) && !name.startsWith('hub_source') && !name.startsWith('hub_sync'),
      ),
    ).toEqual([]);
    // The hub's own requests are timed on the main port's metrics.
    await request(hub.server).get('/health/live').expect(200);
    expect((await scrape()).value('hub_http_request_duration_seconds', { route: '/health/live', status: '200' })).toBe(
      1,
    );
  });

  it('reports the depth of the job queues', async () => {
    const before = await scrape();
    expect(before.labelValuesOf('hub_job_queue_depth', 'queue').sort()).toEqual(
      [quarantinePurgeQueue, syncQueue].sort(),
    );
    boss = new PgBoss({ connectionString: hub.db.url, schema: 'pgboss' });
    await boss.start();
    await boss.send(quarantinePurgeQueue, {}, { startAfter: new Date(Date.now() + 86_400_000) });
    const after = await scrape();
    expect(after.value('hub_job_queue_depth', { queue: quarantinePurgeQueue })).toBe(
      before.value('hub_job_queue_depth', { queue: quarantinePurgeQueue }) + 1,
    );
    expect(after.value('hub_job_queue_depth', { queue: syncQueue })).toBe(
      before.value('hub_job_queue_depth', { queue: syncQueue }),
    );
  });

  it('counts audit appends that fail and says the trail is failing until one succeeds', async () => {
    const audit = hub.app.get(AuditRecorder);
    await audit.record(disclosure(1));
    const before = await scrape();
    expect(before.value('hub_audit_append_failing')).toBe(0);
    const restore = await breakAuditInserts(hub.db.dataSource);
    try {
      await expect(audit.record(disclosure(2))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
    } finally {
      await restore();
    }
    const failing = await scrape();
    expect(failing.value('hub_audit_append_failing')).toBe(1);
    expect(
      failing.value('hub_audit_append_failures_total', { operation: 'person.view', code: 'SQLSTATE P0001' }) -
        before.value('hub_audit_append_failures_total', { operation: 'person.view', code: 'SQLSTATE P0001' }),
    ).toBe(1);
    expect(
      failing.value('hub_audit_append_duration_seconds', { outcome: 'failed' }) -
        before.value('hub_audit_append_duration_seconds', { outcome: 'failed' }),
    ).toBe(1);
    await audit.record(disclosure(3));
    const recovered = await scrape();
    expect(recovered.value('hub_audit_append_failing')).toBe(0);
    expect(
      recovered.value('hub_audit_appends_total', { operation: 'person.view' }) -
        before.value('hub_audit_appends_total', { operation: 'person.view' }),
    ).toBe(1);
  });
});

describe('metrics off (neither METRICS_PORT nor METRICS_TOKEN)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub?.stop());

  it('answers /metrics 404, token or not, and opens no other port', async () => {
    await request(hub.server).get('/metrics').expect(404);
    await request(hub.server)
      .get('/metrics')
      .set('authorization', `Bearer ${'x'.repeat(40)}`)
      .expect(404);
    expect(hub.app.get(MetricsEndpoint).address()).toBeUndefined();
  });
});
