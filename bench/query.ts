import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseAssignmentsService } from '../src/access/relationships/case-assignments.service';
import { DevTokenIssuer } from '../src/auth/dev-token.service';
import { Role } from '../src/engine/principal';
import { AuditEventInput, AuditRecorder } from '../src/engine/audit-recorder';
import { DatabaseRuntime } from '../src/database/database-runtime';
import { SourceConnection } from '../src/sources/sources-config';
import { benchDatabase } from './bench-database';
import {
  benchHubConfig,
  forkChild,
  graphqlUrl,
  sandboxRegistry,
  startHub,
  syncAndSeed,
  sourceKeysOf,
} from './bench-hub';
import { percentile } from './load-plan';

/**
 * `npm run bench:query`: the single view over real HTTP, with the real policy decision point and the real
 * hash-chained audit trail in PostgreSQL, against the three sandbox source systems on loopback. The hub runs
 * in this process; the sandboxes and the clients loading it run in a child (bench/query-load.ts).
 *
 * 1. Household view: a household whose members are known to all three sources, each source answering in
 *    `BENCH_SOURCE_LATENCY_MS` (50). Target: p50 at most 1.2 x the slowest source (60 ms), where asking the
 *    sources one after another takes 150 ms (measured too, through the same adapters).
 * 2. Person views per second (identity and live data from the three sources, policy and audit on), with
 *    `BENCH_CONCURRENCY` (16) clients for `BENCH_SECONDS` (10), sources answering at once, after
 *    `BENCH_WARMUP_SECONDS` (5) of the same load unmeasured. Target: 300/s.
 * 3. The audit trail's cost (issue #6): p50 of a person view, one at a time, audited against the same hub
 *    with auditing disabled, `BENCH_AUDIT_RUNS` (400) each, sources answering at once and in
 *    `BENCH_AUDIT_SOURCE_MS` (20). Target: at most 10 % above. Beside them, in the same turns, two floors: a
 *    hub whose recorder makes one database round trip and writes nothing, and one whose recorder commits
 *    one plain row per event (no validation, hash, chain or index), which is the least a trail that fails
 *    closed must do for a view on its own. Then the same under load (the clients of step 2, sources
 *    answering at once), the plain-row hub too: views per second, p50 and CPU per view, three turns of
 *    `BENCH_SECONDS` / 2 each. (Under load it is a reference, not a floor: it does not group concurrent
 *    events into one commit, as the trail's writer does.)
 */
const households = Number(process.env.BENCH_HOUSEHOLDS ?? 300);
const latencyMs = Number(process.env.BENCH_SOURCE_LATENCY_MS ?? 50);
const householdRuns = Number(process.env.BENCH_HOUSEHOLD_RUNS ?? 200);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const auditRuns = Number(process.env.BENCH_AUDIT_RUNS ?? 400);
/** A line-of-business API behind a network answers in tens of milliseconds. */
const auditSourceMs = Number(process.env.BENCH_AUDIT_SOURCE_MS ?? 20);

// Clients send the id as a variable (as a partner's persisted queries do), so the document is parsed and
// validated once and then served from Apollo's document cache.
const householdQuery = `query Household($id: ID!) { household(id: $id) { id uprn memberCount multipleServicesInvolved members { role person {
  id givenName familyName dateOfBirth
  housing { tenancies { tenancyRef tenure rentAccountStatus } }
  benefits { housingBenefitClaims { claimRef status weeklyAmount } }
  socialCare { childrenSocialCare { caseType allocatedTeam } }
} } } }`;
const personQuery =
  process.env.BENCH_PERSON_QUERY ??
  `query Person($id: ID!) { person(id: $id) {
  id givenName familyName dateOfBirth postcode
  housing { tenancies { tenure rentAccountStatus } }
  benefits { housingBenefitClaims { status weeklyAmount } }
  socialCare { childrenSocialCare { caseType } }
} }`;

async function main(): Promise<void> {
  const db = await benchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-query-'));
  const load = forkChild('query-load.ts');
  let app: INestApplication | undefined;
  let unaudited: INestApplication | undefined;
  const floors: INestApplication[] = [];
  let runtime: DatabaseRuntime | undefined;
  try {
    const connections = await load.ask<SourceConnection[]>({ cmd: 'start', dir, households });
    const registry = sandboxRegistry(connections);

    const config = await benchHubConfig(db, dir);
    runtime = await DatabaseRuntime.open(config);
    app = await startHub(config, runtime, registry);
    const endpoint = await graphqlUrl(app);

    await syncAndSeed(app);
    const dataSource = app.get(DataSource);
    const [household] = await dataSource.query(`
      select m.household_id::text as id, count(distinct m.person_id)::int as members
        from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
       where m.valid_to is null and not r.deleted
       group by m.household_id having count(distinct r.source) = 3 order by count(distinct m.person_id) desc, m.household_id limit 1`);
    const personIds: string[] = (
      await dataSource.query(
        `select distinct m.person_id::text as id from household_membership m where m.valid_to is null order by 1 limit 400`,
      )
    ).map((r: { id: string }) => r.id);
    const homes: { household_id: string }[] = await dataSource.query(
      'select distinct household_id::text from household_membership where valid_to is null and person_id = any($1::uuid[])',
      [personIds],
    );
    const assignments = app.get(CaseAssignmentsService);
    const admin = { subject: 'bench-admin', organisation: 'council', roles: [Role.Admin] };
    for (const id of new Set([household.id as string, ...homes.map((h) => h.household_id)])) {
      await assignments.assign({ subjectKind: 'household', subjectId: id, team: 'early-help-north' }, admin);
    }
    const token = await app.get(DevTokenIssuer).issue({
      subject: 'am-bench',
      organisation: 'council',
      roles: [Role.AccountManager],
      team: 'early-help-north',
      ttlSeconds: 3600,
    });

    // 1. Household view, each source answering in `latencyMs`.
    await load.ask({ cmd: 'latency', ms: latencyMs });
    const householdProfiler = await startProfiler('household');
    const parallel = await load.ask<number[]>({
      cmd: 'household',
      endpoint,
      token,
      query: householdQuery,
      ids: [household.id],
      runs: householdRuns,
    });
    await householdProfiler?.stop();
    const keys = [...(await sourceKeysOf(dataSource, household.id))];
    const sequential = await load.ask<number[]>({ cmd: 'sequential', keys, runs: Math.min(householdRuns, 40) });
    // The slowest source as a client on this machine sees it: the three lookups at once, without the hub.
    const together = await load.ask<number[]>({ cmd: 'sequential', keys, runs: householdRuns, parallel: true });

    // 2. Person views per second, sources answering at once: what the hub itself costs.
    await load.ask({ cmd: 'latency', ms: 0 });
    // Unmeasured: the JIT compiles the hot paths (a running hub is warm; the first seconds are not typical).
    await load.ask({
      cmd: 'persons',
      endpoint,
      token,
      query: personQuery,
      ids: personIds,
      concurrency,
      seconds: warmupSeconds,
    });
    const profiler = await startProfiler('persons');
    const cpuBefore = process.cpuUsage();
    const persons = await load.ask<PersonsLoad>({
      cmd: 'persons',
      endpoint,
      token,
      query: personQuery,
      ids: personIds,
      concurrency,
      seconds,
    });
    const cpu = process.cpuUsage(cpuBefore);
    await profiler?.stop();
    const audited = Number(
      (
        await dataSource.query(`select count(*) from audit_event where operation in ('person.view', 'household.view')`)
      )[0].count,
    );

    // 3. What the audit trail costs a person view: the same view, one at a time, from this hub and from a
    //    second hub on the same database whose audit recorder writes nothing, in turn (so drift in the
    //    machine's load falls on both alike); with sources answering at once, and in BENCH_AUDIT_SOURCE_MS.
    unaudited = await startHub(config, runtime, registry, { recorder: () => new NothingRecorded() });
    const pair = [endpoint, await graphqlUrl(unaudited)];
    await dataSource.query('create table bench_audit_floor (id bigserial primary key, event jsonb not null)');
    floors.push(await startHub(config, runtime, registry, { recorder: (ds) => new RoundTripOnly(ds) }));
    floors.push(await startHub(config, runtime, registry, { recorder: (ds) => new PlainRowCommitted(ds) }));
    const [roundTripUrl, plainRowUrl] = await Promise.all(floors.map(graphqlUrl));
    const compared = [...pair, roundTripUrl, plainRowUrl];
    const auditCost = [];
    for (const ms of [0, auditSourceMs]) {
      await load.ask({ cmd: 'latency', ms });
      const [on, off, roundTrip, plainRow] = (
        await load.ask<number[][]>({
          cmd: 'compare',
          endpoints: compared,
          token,
          query: personQuery,
          ids: personIds,
          runs: auditRuns,
        })
      ).map((times) => percentile(times, 0.5));
      auditCost.push({
        sourceLatencyMs: ms,
        runs: auditRuns,
        auditedP50ms: round(on, 2),
        unauditedP50ms: round(off, 2),
        overheadPercent: overheadPercent(on, off),
        targetPercent: 10,
        floors: {
          roundTripOnly: { p50ms: round(roundTrip, 2), overheadPercent: overheadPercent(roundTrip, off) },
          plainRowCommitted: { p50ms: round(plainRow, 2), overheadPercent: overheadPercent(plainRow, off) },
        },
      });
    }
    // Under load: the audited hub, auditing disabled and the plain-row hub in turns (three each, audited
    // first), sources answering at once.
    const loaded = [...pair, plainRowUrl];
    await load.ask({ cmd: 'latency', ms: 0 });
    await load.ask({
      cmd: 'persons',
      endpoint: pair[1],
      token,
      query: personQuery,
      ids: personIds,
      concurrency,
      seconds: warmupSeconds,
    });
    // CPU per view: this process (the hub), and the whole machine (hub, PostgreSQL, sandboxes and clients).
    const underLoad = loaded.map(() => [] as PersonsLoad[]);
    const machineMs = loaded.map(() => 0);
    const hubMs = loaded.map(() => 0);
    for (let turn = 0; turn < 3 * loaded.length; turn++) {
      const hub = turn % loaded.length;
      const [machineBefore, hubBefore] = [machineBusyMs(), process.cpuUsage()];
      underLoad[hub].push(
        await load.ask<PersonsLoad>({
          cmd: 'persons',
          endpoint: loaded[hub],
          token,
          query: personQuery,
          ids: personIds,
          concurrency,
          seconds: seconds / 2,
        }),
      );
      const hubUsed = process.cpuUsage(hubBefore);
      machineMs[hub] += machineBusyMs() - machineBefore;
      hubMs[hub] += (hubUsed.user + hubUsed.system) / 1000;
    }
    const [loadOn, loadOff, loadPlainRow] = underLoad.map((turns, hub) => {
      const views = turns.reduce((n, t) => n + t.done, 0);
      return {
        perSecond: Math.round(views / turns.reduce((s, t) => s + t.seconds, 0)),
        p50: percentile(
          turns.flatMap((t) => t.times),
          0.5,
        ),
        machineMsPerView: round(machineMs[hub] / views, 2),
        hubMsPerView: round(hubMs[hub] / views, 2),
      };
    });

    const lines = [
      { benchmark: 'query', households, database: db.kind, sourceLatencyMs: latencyMs },
      {
        step: 'household view (3 sources in parallel)',
        members: household.members,
        runs: householdRuns,
        p50ms: round(percentile(parallel, 0.5)),
        p95ms: round(percentile(parallel, 0.95)),
        targetP50ms: round(1.2 * latencyMs),
      },
      { step: 'the same three lookups one after another (adapters only)', p50ms: round(percentile(sequential, 0.5)) },
      {
        step: 'the same three lookups at once (adapters only): the slowest source as seen from here',
        p50ms: round(percentile(together, 0.5)),
        householdViewOverIt: round(percentile(parallel, 0.5) / percentile(together, 0.5), 2),
        target: 1.2,
      },
      {
        step: 'person views (identity + 3 live sources, policy + audit)',
        concurrency,
        seconds: round(persons.seconds),
        views: persons.done,
        viewsPerSecond: Math.round(persons.done / persons.seconds),
        target: 300,
        hubCpuMsPerView: round((cpu.user + cpu.system) / 1000 / persons.done, 2),
      },
      { auditEventsWritten: audited },
      ...auditCost.map((line) => ({ step: 'person view, audited against auditing disabled (one at a time)', ...line })),
      {
        step: `person views under load (${concurrency} clients, sources at once), audited against auditing disabled`,
        auditedPerSecond: loadOn.perSecond,
        unauditedPerSecond: loadOff.perSecond,
        auditedP50ms: round(loadOn.p50, 2),
        unauditedP50ms: round(loadOff.p50, 2),
        overheadPercent: overheadPercent(loadOn.p50, loadOff.p50),
        targetPercent: 10,
        machineCpuMsPerView: { audited: loadOn.machineMsPerView, unaudited: loadOff.machineMsPerView },
        hubCpuMsPerView: { audited: loadOn.hubMsPerView, unaudited: loadOff.hubMsPerView },
        plainRowCommitted: {
          perSecond: loadPlainRow.perSecond,
          p50ms: round(loadPlainRow.p50, 2),
          overheadPercent: overheadPercent(loadPlainRow.p50, loadOff.p50),
          machineCpuMsPerView: loadPlainRow.machineMsPerView,
          hubCpuMsPerView: loadPlainRow.hubMsPerView,
        },
      },
    ];
    process.stdout.write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  } finally {
    await Promise.all(floors.map((hub) => hub.close()));
    await unaudited?.close();
    await app?.close();
    await runtime?.close();
    await load.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** CPU time all cores have spent busy since boot (user, nice, system, interrupts), ms. */
function machineBusyMs(): number {
  return cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

interface PersonsLoad {
  done: number;
  seconds: number;
  /** Each view's time, ms. */
  times: number[];
}

/** Auditing disabled, for the comparison only: every event "succeeds" at once and is written nowhere. */
class NothingRecorded extends AuditRecorder {
  private seq = 0;
  async record(): Promise<{ seq: string; hash: string }> {
    return { seq: String(++this.seq), hash: '' };
  }
}

/** A floor: each event costs one database round trip that writes nothing. */
class RoundTripOnly extends AuditRecorder {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async record(): Promise<{ seq: string; hash: string }> {
    const [row] = await this.dataSource.query('select 1 as seq');
    return { seq: String(row.seq), hash: '' };
  }
}

/** A floor: each event is committed as one plain row (no validation, hash, chain, partition or index) before release. */
class PlainRowCommitted extends AuditRecorder {
  constructor(private readonly dataSource: DataSource) {
    super();
  }
  async record(event: AuditEventInput): Promise<{ seq: string; hash: string }> {
    const [row] = await this.dataSource.query('insert into bench_audit_floor (event) values ($1) returning id', [
      JSON.stringify(event),
    ]);
    return { seq: String(row.id), hash: '' };
  }
}

/**
 * With `BENCH_CPU_PROFILE=PREFIX`, V8 CPU profiles of the hub during each step, `PREFIX-household.cpuprofile`
 * and `PREFIX-persons.cpuprofile` (open them in Chrome's DevTools).
 */
async function startProfiler(step: string): Promise<{ stop: () => Promise<void> } | undefined> {
  const prefix = process.env.BENCH_CPU_PROFILE;
  if (!prefix) return undefined;
  const file = `${prefix}-${step}.cpuprofile`;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = (await post('Profiler.stop')) as { profile: object };
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** How much slower than `baseline` a p50 is, in per cent. */
const overheadPercent = (p50: number, baseline: number) => round(((p50 - baseline) / baseline) * 100);

main().catch((error: unknown) => {
  process.stderr.write(`bench:query failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
