import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { loadConfig } from '../../src/hub-config';
import { HubKeyService } from '../../src/keys/hub-key.service';
import { HubProcess, runBuiltCli, sourcesConfigFile, startHubProcess } from '../support/hub-process';
import { RoundRobinProxy, startRoundRobinProxy } from '../support/round-robin-proxy';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { sandboxDefinitions } from '../../src/sandbox/sandbox-registry';

/**
 * Two hubs, each the built hub in a process of its own, on one database behind a round-robin proxy, as a
 * deployment runs them (issue #20): background jobs are done once between them, either serves any request
 * (a search page is continued on the other with the first one's cursor), both write the one audit chain and
 * both sign checkpoints of it, and it all verifies. Needs `npm run build`.
 */

jest.setTimeout(60_000);

const instances = ['hub-a', 'hub-b'];
const manager: DevTokenRequest = {
  subject: 'am-two',
  organisation: 'council',
  roles: [Role.AccountManager],
  team: 'early-help-north',
};
const dpo: DevTokenRequest = { subject: 'dpo-two', organisation: 'council', roles: [Role.Dpo] };
const WITHHELD = 'WITHHELD_BY_POLICY';

// oxlint-disable-next-line no-explicit-any -- GraphQL answers of several shapes, read field by field
type Data = Record<string, any>;
type Answer = {
  status: number;
  requestId: string;
  body: { data?: Data | null; errors?: { message: string; extensions?: { code?: string } }[] };
};

/** The same URL naming the connecting instance to PostgreSQL (`application_name`, as in pg_stat_activity). */
const asInstance = (url: string, name: string) => {
  const named = new URL(url);
  named.searchParams.set('application_name', name);
  return named.toString();
};

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs: number,
  everyMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The sources each instance syncs: every registered sandbox, by id. */
const sandboxIds = sandboxDefinitions.map((d) => d.id).sort();

describe('two hub instances on one database behind a round-robin proxy', () => {
  let sources: SandboxSources;
  let db: TestDatabase;
  let dir: string;
  let keyFile: string;
  let hubs: HubProcess[] = [];
  let proxy: RoundRobinProxy;
  const tokens = new Map<DevTokenRequest, string>();
  let caseload: string[];

  const ask = async (
    who: DevTokenRequest,
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<Answer> => {
    const requestId = `two-${randomUUID()}`;
    const res = await fetch(`${proxy.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${tokens.get(who)}`,
        'x-request-id': requestId,
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, requestId, body: (await res.json()) as Answer['body'] };
  };
  const unexpectedErrors = (answer: Answer) =>
    (answer.body.errors ?? []).filter((e) => e.extensions?.code !== WITHHELD);
  const servedBy = (requestId: string) => proxy.forwarded.find((f) => f.requestId === requestId)?.upstream;
  const query = <T>(sql: string, params: unknown[] = []) => db.dataSource.query(sql, params) as Promise<T[]>;
  const completedSyncJobs = async () =>
    (
      await query<{ n: number }>(
        `select count(*)::int as n from pgboss.job where name = 'source-sync' and state = 'completed'`,
      )
    )[0].n;
  const cliEnv = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    HUB_DATA_DIR: join(dir, 'cli'),
    HUB_SIGNING_KEY_FILE: keyFile,
  });

  beforeAll(async () => {
    sources = await startSandboxSources({ households: 100, seed: 'two-instances', pageSize: 100 });
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'hub-two-instances-'));
    // The key both instances are given (HUB_SIGNING_KEY_FILE): it signs their checkpoints and seals their cursors.
    keyFile = join(dir, 'hub-signing-key.json');
    const config = loadConfig({ NODE_ENV: 'test', HUB_DATA_DIR: dir, HUB_SIGNING_KEY_FILE: keyFile });
    const keys = new HubKeyService(config);
    await keys.kid();
    const issuer = new DevTokenIssuer(config, keys);
    for (const who of [manager, dpo]) tokens.set(who, await issuer.issue(who));
    // Which instance signed each checkpoint: each connects under its own name.
    await db.dataSource.query(
      `create table test_checkpoint_origin (checkpoint_id bigint primary key, instance text not null)`,
    );
    await db.dataSource.query(`create function test_checkpoint_origin() returns trigger language plpgsql as $$
      begin insert into test_checkpoint_origin values (new.id, current_setting('application_name')); return new; end $$`);
    await db.dataSource.query(
      `create trigger test_checkpoint_origin after insert on audit_checkpoint for each row execute function test_checkpoint_origin()`,
    );

    const common = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      HUB_SIGNING_KEY_FILE: keyFile,
      SOURCES_CONFIG: await sourcesConfigFile(sources),
      // Every minute, so that a scheduled tick comes within the test; and the sync after start.
      SYNC_SCHEDULE: '* * * * *',
      SYNC_ON_START: 'true',
      AUDIT_CHECKPOINT_INTERVAL: '1',
      TRUST_PROXY: 'loopback',
    };
    const started = await Promise.allSettled(
      instances.map((name) =>
        startHubProcess({ ...common, HUB_DATA_DIR: join(dir, name), DATABASE_URL: asInstance(db.url, name) }),
      ),
    );
    hubs = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    proxy = await startRoundRobinProxy(hubs.map((hub) => hub.url));

    // The first sync (and the matching after it) is done by one of them; then the demo agreements and a caseload.
    await until('the first sync', async () => (await completedSyncJobs()) >= 1, 90_000);
    const seeded = await runBuiltCli(['seed', '--caseload', 'early-help-north', '--households', '3'], cliEnv());
    if (seeded.code !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
    // The seed command loads the demo Tell Us Once subscriptions too (the hubs, on an external database, do not).
    if (!(JSON.parse(seeded.stdout).lifeEventSubscriptions?.length > 0))
      throw new Error(`seed made no life-event subscription: ${seeded.stdout}`);
    const households: string[] = JSON.parse(seeded.stdout).caseload.households;
    if (households.length === 0) throw new Error('seed put no household on the caseload');
    caseload = (
      await query<{ id: string }>(
        `select distinct person_id::text as id from household_membership where valid_to is null and household_id = any($1::uuid[]) order by 1`,
        [households],
      )
    ).map((r) => r.id);
  }, 240_000);

  afterAll(async () => {
    await proxy?.close();
    await Promise.all(hubs.map((hub) => hub.stop()));
    await db?.drop();
    await sources?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves any request from either instance, and each records its disclosures in the one trail', async () => {
    const person = `query($id: ID!) { person(id: $id) { id givenName familyName } }`;
    const answers: { answer: Answer; personId?: string }[] = [];
    for (const [i, id] of caseload.slice(0, 6).entries()) {
      answers.push({ answer: await ask(manager, person, { id }, { 'x-purpose': 'EARLY_HELP' }), personId: id });
      if (i % 3 === 2)
        answers.push({
          answer: await ask(
            dpo,
            `query($id: String!) { auditEvents(filter: { personId: $id }, first: 5) { nodes { seq } } }`,
            { id },
          ),
        });
    }
    for (const { answer, personId } of answers) {
      expect({ status: answer.status, errors: unexpectedErrors(answer) }).toEqual({ status: 200, errors: [] });
      if (personId) expect(answer.body.data!.person).toMatchObject({ id: personId, givenName: expect.any(String) });
    }
    // The proxy alternated: both instances answered.
    expect(new Set(answers.map(({ answer }) => servedBy(answer.requestId)))).toEqual(new Set([0, 1]));

    const events = await query<{ request_id: string; operation: string; decision: string; persons: string[] | null }>(
      `select request_id, operation, decision, persons from audit_event where request_id = any($1::text[])`,
      [answers.map(({ answer }) => answer.requestId)],
    );
    for (const { answer, personId } of answers) {
      const own = events.filter((e) => e.request_id === answer.requestId);
      if (personId)
        expect(own.map((e) => [e.operation, e.decision, e.persons?.[0]])).toEqual([['person.view', 'allow', personId]]);
      else expect(own.map((e) => [e.operation, e.decision])).toEqual([['dpo.search', 'allow']]);
    }
    // Events written by each instance, in the one chain.
    expect(new Set(events.map((e) => servedBy(e.request_id)))).toEqual(new Set([0, 1]));
  });

  it('continues a search on the other instance with the cursor the first one sealed', async () => {
    // A family name and postcode that several people share: an account manager's exact search.
    const [shared] = await query<{ family: string; postcode: string }>(
      `select r.demographics ->> 'familyName' as family, r.demographics ->> 'postcode' as postcode
         from source_record r join person_link l on l.source_record_id = r.id
        where not r.deleted and r.demographics ? 'familyName' and r.demographics ? 'postcode'
        group by 1, 2 having count(distinct l.person_id) >= 2 order by count(distinct l.person_id) desc, 1, 2 limit 1`,
    );
    const search = `query($input: SearchPeopleInput!) { searchPeople(input: $input) { edges { cursor person { id exists } } pageInfo { hasNextPage endCursor } } }`;
    const input = { familyName: shared.family, postcode: shared.postcode };
    const earlyHelp = { 'x-purpose': 'EARLY_HELP' };
    const everyone = await ask(manager, search, { input: { ...input, first: 50 } }, earlyHelp);
    expect(unexpectedErrors(everyone)).toEqual([]);
    const all = everyone.body.data!.searchPeople.edges.map((e: { person: { id: string } }) => e.person.id);
    expect(all.length).toBeGreaterThanOrEqual(2);

    const pages: string[][] = [];
    const servers: (number | undefined)[] = [];
    let after: string | undefined;
    do {
      const page = await ask(
        manager,
        search,
        { input: { ...input, first: 1, ...(after ? { after } : {}) } },
        earlyHelp,
      );
      expect({ status: page.status, errors: unexpectedErrors(page) }).toEqual({ status: 200, errors: [] });
      pages.push(page.body.data!.searchPeople.edges.map((e: { person: { id: string } }) => e.person.id));
      servers.push(servedBy(page.requestId));
      const info = page.body.data!.searchPeople.pageInfo;
      after = info.hasNextPage ? info.endCursor : undefined;
    } while (after && pages.length <= all.length);
    // Every page after the first was asked of the other instance than the page before it.
    expect(servers.slice(1).every((upstream, i) => upstream !== servers[i])).toBe(true);
    expect(pages.flat()).toEqual(all);
  });

  it('has each instance sign checkpoints of the one chain', async () => {
    // Each signs the head on its timer (every second) when it has moved; alternating traffic moves it.
    const origins = await until(
      'a checkpoint from each instance',
      async () => {
        await ask(dpo, `query($id: String!) { personAccessTimeline(personId: $id, first: 1) { nodes { seq } } }`, {
          id: caseload[0],
        });
        const rows = await query<{ instance: string }>(
          'select distinct instance from test_checkpoint_origin order by 1',
        );
        return rows.length === instances.length && rows.map((r) => r.instance);
      },
      30_000,
      300,
    );
    expect(origins).toEqual(instances);
  });

  it('runs each background job once: the sync after start and every scheduled tick on one instance only', async () => {
    // The sync after start and at least one scheduled tick, with none in progress: runs, log lines and jobs
    // read between two identical readings of the queue, so that no tick slips in between.
    const logged = () =>
      hubs.map((hub) =>
        hub.logLines().flatMap((line) => {
          const match = /^sync \((start|schedule)\) (\S+): (\w+)/.exec(line.msg ?? '');
          return match ? [{ trigger: match[1], source: match[2], status: match[3] }] : [];
        }),
      );
    const queue = async () => {
      const [state] = await query<{ completed: number; pending: number; failed: number }>(
        `select count(*) filter (where state = 'completed')::int as completed, count(*) filter (where state in ('created', 'retry', 'active'))::int as pending,
                count(*) filter (where state = 'failed')::int as failed
           from pgboss.job where name = 'source-sync'`,
      );
      if (state.failed > 0) throw new Error(`${state.failed} sync jobs failed`);
      return state;
    };
    const { jobs, runs, done } = await until(
      'two completed syncs and none in progress',
      async () => {
        const before = await queue();
        if (before.completed < 2 || before.pending > 0) return false;
        const syncRuns = await query<{ source: string; runs: number; complete: number }>(
          `select source, count(*)::int as runs, count(*) filter (where status = 'complete')::int as complete from source_sync_run group by source order by source`,
        );
        const lines = logged();
        const after = await queue();
        return (
          after.completed === before.completed &&
          after.pending === 0 && { jobs: before.completed, runs: syncRuns, done: lines }
        );
      },
      150_000,
      1000,
    );
    expect(runs).toEqual(sandboxIds.map((source) => ({ source, runs: jobs, complete: jobs })));
    // What each instance did, from its own log: every job's sync of a source appears once, in one instance.
    for (const source of sandboxIds) {
      const lines = done.flat().filter((d) => d.source === source);
      expect(lines.map((d) => d.status)).toEqual(Array.from({ length: jobs }, () => 'complete'));
    }
    // The sync after start was asked for by both instances and done by one.
    expect(done.flat().filter((d) => d.trigger === 'start' && d.source === 'housing').length).toBeLessThanOrEqual(1);
  }, 180_000);

  it('keeps one valid chain whose checkpoints, signed by both instances, verify', async () => {
    const signed = () =>
      query<{ seq: string; instance: string }>(
        `select c.seq, o.instance from audit_checkpoint c join test_checkpoint_origin o on o.checkpoint_id = c.id`,
      );
    const before = await signed();
    expect(new Set(before.map((c) => c.instance))).toEqual(new Set(instances));
    const verified = await runBuiltCli(['audit', 'verify'], cliEnv());
    const result = JSON.parse(verified.stdout);
    expect(result).toMatchObject({ valid: true, firstBrokenSeq: null, problem: null });
    // Every checkpoint there was is checked (the instances may have signed the head once more meanwhile).
    const within = (await signed()).filter((c) => Number(c.seq) <= result.toSeq).length;
    expect(result.checkedCheckpoints).toBeGreaterThanOrEqual(before.length);
    expect(result.checkedCheckpoints).toBeLessThanOrEqual(within);
    expect(verified.code).toBe(0);
  }, 120_000);

  it('stops each instance cleanly on SIGTERM, as a rolling deployment does', async () => {
    for (const hub of hubs) expect(await hub.stop()).toBe(0);
  }, 60_000);
});
