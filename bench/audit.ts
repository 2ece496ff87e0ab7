import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditCheckpointService } from '../src/audit/audit-checkpoint.service';
import { AuditVerifierService } from '../src/audit/audit-verifier.service';
import { AuditService } from '../src/audit/audit.service';
import { loadConfig } from '../src/config/config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { DatabaseRuntime, ensureDatabase } from '../src/database/database-runtime';
import { HubKeyService } from '../src/keys/hub-key.service';
import { benchEvent } from './audit-writer';

/**
 * `npm run bench:audit`: audit events per second through the hash chain with concurrent writers (in one
 * process and in two processes on one database), chain verification speed, and the p50 of an audited
 * person query against the same query unaudited. Runs on DATABASE_URL's server, or the embedded one, in a
 * database of its own that it drops afterwards. Prints one JSON document.
 */
const run = promisify(execFile);
const EVENTS_PER_RUN = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);
const QUERY_ROUNDS = Number(process.env.BENCH_AUDIT_QUERIES ?? 3_000);
/** Service time of the slow source systems: a line-of-business API behind a network answers in tens of ms. */
const SOURCE_MS = Number(process.env.BENCH_AUDIT_SOURCE_MS ?? 20);

async function main() {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
  const runtime = await DatabaseRuntime.open(config);
  const server = new URL(runtime.url);
  const name = `hub_bench_audit_${randomBytes(4).toString('hex')}`;
  server.pathname = '/postgres';
  const url = await ensureDatabase(server.toString(), name);
  const dataSource = new DataSource({ ...dataSourceOptions(url, [], []), extra: { max: 20 } });
  const report: Record<string, unknown> = { database: runtime.mode, cpus: (await import('node:os')).cpus().length };
  try {
    await dataSource.initialize();
    await dataSource.runMigrations();
    const audit = new AuditService(dataSource);

    const inProcess = [];
    for (const writers of [1, 8, 32, 64]) inProcess.push(await throughput(audit, writers, writers === 1 ? 2_000 : EVENTS_PER_RUN));
    report.throughputOneProcess = inProcess;
    report.throughputTwoProcesses = await twoProcesses(url, EVENTS_PER_RUN / 2, 32);

    const keys = new HubKeyService({ ...config, dataDir: mkdtempSync(join(tmpdir(), 'hub-bench-')), signingKeyFile: undefined });
    const verifier = new AuditVerifierService(dataSource, new AuditCheckpointService(dataSource, keys, config));
    const started = performance.now();
    const verification = await verifier.verify();
    const seconds = (performance.now() - started) / 1000;
    report.verification = { ...verification, eventsPerSecond: Math.round(verification.checkedEvents / seconds) };

    report.personQuery = await personQuery(dataSource, audit);
    await audit.beforeApplicationShutdown();
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    const admin = new Client({ connectionString: server.toString() });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
    await runtime.close();
  }
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

async function throughput(audit: AuditService, writers: number, events: number) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: writers }, async () => {
      for (let i = next++; i < events; i = next++) await audit.record(benchEvent(i, 'bench'));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { writers, events, eventsPerSecond: Math.round(events / seconds) };
}

/** Two OS processes, each a hub's AuditService with its own pool, appending to the same chain at once. */
async function twoProcesses(url: string, eventsEach: number, writersEach: number) {
  const compiled = extname(__filename) === '.js';
  const script = join(__dirname, compiled ? 'audit-writer.js' : 'audit-writer.ts');
  const register = compiled ? [] : ['-r', join(__dirname, '..', 'test', 'support', 'swc-register.cjs')];
  const barrier = 4_711;
  const gate = new Client({ connectionString: url });
  await gate.connect();
  await gate.query('select pg_advisory_lock($1)', [barrier]);
  const children = [0, 1].map(() =>
    run(process.execPath, [...register, script, '--url', url, '--events', String(eventsEach), '--concurrency', String(writersEach), '--barrier', String(barrier)]),
  );
  for (let waiting = 0; waiting < 2; ) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    waiting = (await gate.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = $1 and not granted`, [barrier])).rows[0].n;
  }
  const started = performance.now();
  await gate.query('select pg_advisory_unlock($1)', [barrier]);
  await gate.end();
  const results = (await Promise.all(children)).map(({ stdout }) => JSON.parse(stdout) as { events: number; ms: number });
  const seconds = (performance.now() - started) / 1000;
  const events = results.reduce((sum, r) => sum + r.events, 0);
  return { processes: 2, writersPerProcess: writersEach, events, eventsPerSecond: Math.round(events / seconds) };
}

/**
 * The single-view person query does not exist yet, so a representative one is simulated: the identity
 * index lookup (one person, their source records from three systems, their household) and then, as the
 * hub does, a live fetch of service fields from the three source systems, here small HTTP services on
 * loopback that each read their own table. Audited the way the hub audits: the event for what will be
 * released is written while the data is fetched, and nothing is returned unless both succeed. The same is
 * measured for the identity lookup alone, which has no source round trip to overlap the audit commit.
 */
async function personQuery(dataSource: DataSource, audit: AuditService) {
  await dataSource.query(`create table bench_person (id uuid primary key, given_name text, family_name text, date_of_birth date, household_id uuid)`);
  await dataSource.query(`create table bench_source_record (id bigserial primary key, person_id uuid not null, source text, source_key text, demographics jsonb)`);
  await dataSource.query(`create index on bench_source_record (person_id)`);
  await dataSource.query(`create index on bench_person (household_id)`);
  await dataSource.query(
    // Households of three.
    `insert into bench_person select gen_random_uuid(), 'Given' || i, 'Family' || (i % 5000), date '1950-01-01' + (i % 20000), md5((i / 3)::text)::uuid
     from generate_series(1, 50000) i`,
  );
  await dataSource.query(
    `insert into bench_source_record (person_id, source, source_key, demographics)
     select p.id, s, s || '-' || left(p.id::text, 8), jsonb_build_object('givenName', p.given_name, 'familyName', p.family_name, 'postcode', 'LS1 4AB')
     from bench_person p cross join unnest(array['housing', 'benefits', 'social-care']) s`,
  );
  await dataSource.query(`create table bench_service (person_id uuid, source text, payload jsonb, primary key (person_id, source))`);
  await dataSource.query(
    `insert into bench_service select person_id, source, jsonb_build_object('status', 'open', 'balance', 123.45, 'since', '2021-04-01') from bench_source_record`,
  );
  await dataSource.query('analyze bench_person; analyze bench_source_record; analyze bench_service');
  const sources = await Promise.all(['housing', 'benefits', 'social-care'].map((source) => sourceSystem(dataSource, source, 0)));
  const slowSources = await Promise.all(['housing', 'benefits', 'social-care'].map((source) => sourceSystem(dataSource, source, SOURCE_MS)));
  const ids: string[] = (await dataSource.query('select id from bench_person order by random() limit 1000')).map((r: { id: string }) => r.id);

  const query = (id: string) =>
    dataSource.query(
      `select p.*, (select jsonb_agg(to_jsonb(r)) from bench_source_record r where r.person_id = p.id) as records,
              (select jsonb_agg(m.id) from bench_person m where m.household_id = p.household_id) as household
       from bench_person p where p.id = $1`,
      [id],
    );
  const fetchSources = (id: string, from = sources) => Promise.all(from.map((s) => fetch(`${s.url}/people/${id}`).then((res) => res.json())));
  const full = async (id: string, from = sources) => {
    const [person] = await query(id);
    return { person, services: await fetchSources(id, from) };
  };
  const event = (id: string, i: number) => ({ ...benchEvent(i, 'pq'), subjects: { persons: [id] }, requestId: randomUUID() });
  const variants = {
    fullUnaudited: (id: string) => full(id),
    fullAudited: async (id: string, i: number) => (await Promise.all([full(id), audit.record(event(id, i))]))[0],
    slowSourcesUnaudited: (id: string, i: number) => (i % 5 === 0 ? full(id, slowSources) : undefined),
    slowSourcesAudited: async (id: string, i: number) => (i % 5 === 0 ? (await Promise.all([full(id, slowSources), audit.record(event(id, i))]))[0] : undefined),
    indexOnlyUnaudited: (id: string) => query(id),
    indexOnlyAudited: async (id: string, i: number) => (await Promise.all([query(id), audit.record(event(id, i))]))[0],
    indexOnlyAuditThenQuery: async (id: string, i: number) => {
      await audit.record(event(id, i));
      return query(id);
    },
  };
  type Variant = keyof typeof variants;
  const times = Object.fromEntries(Object.keys(variants).map((key) => [key, [] as number[]])) as Record<Variant, number[]>;
  try {
    for (let i = 0; i < 100; i += 1) for (const fn of Object.values(variants)) await fn(ids[i % ids.length], i);
    // Interleaved, so drift in the machine's load falls on every variant alike.
    for (let i = 0; i < QUERY_ROUNDS; i += 1) {
      const id = ids[i % ids.length];
      for (const [key, fn] of Object.entries(variants) as [Variant, (id: string, i: number) => Promise<unknown>][]) {
        const t = performance.now();
        // The slow-source variants run one round in five, to keep the run short.
        if ((await fn(id, i)) === undefined && key.startsWith('slow')) continue;
        times[key].push(performance.now() - t);
      }
    }
  } finally {
    await Promise.all([...sources, ...slowSources].map((s) => s.close()));
  }
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const p50 = Object.fromEntries(Object.entries(times).map(([key, list]) => [key, round(percentile(list, 0.5))])) as Record<Variant, number>;
  const p95 = Object.fromEntries(Object.entries(times).map(([key, list]) => [key, round(percentile(list, 0.95))]));
  const overhead = (audited: number, plain: number) => Math.round(((audited - plain) / plain) * 1000) / 10;
  return {
    note: `simulated person query: the single-view query is not built yet. full = identity index lookup (person, 3 source records, household; 50,000 persons) + live fetch from 3 loopback HTTP source systems; slowSources = the same with sources answering in ${SOURCE_MS} ms (BENCH_AUDIT_SOURCE_MS); indexOnly = the identity lookup alone`,
    rounds: QUERY_ROUNDS,
    p50Ms: p50,
    p95Ms: p95,
    auditedOverheadP50Percent: {
      full: overhead(p50.fullAudited, p50.fullUnaudited),
      slowSources: overhead(p50.slowSourcesAudited, p50.slowSourcesUnaudited),
      indexOnly: overhead(p50.indexOnlyAudited, p50.indexOnlyUnaudited),
    },
  };
}

/** A stand-in source system: an HTTP service answering for one person from its own table. */
async function sourceSystem(dataSource: DataSource, source: string, delayMs: number): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const id = /^\/people\/([0-9a-f-]{36})$/.exec(req.url ?? '')?.[1];
    if (!id) {
      res.writeHead(404).end();
      return;
    }
    (delayMs > 0 ? new Promise((resolve) => setTimeout(resolve, delayMs)) : Promise.resolve())
      .then(() => dataSource.query('select payload from bench_service where person_id = $1 and source = $2', [id, source]))
      .then((rows: { payload: unknown }[]) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(rows[0]?.payload ?? null)))
      .catch(() => res.writeHead(500).end());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:audit failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
