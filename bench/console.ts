import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CaseAssignmentsService } from '../src/access/relationships/case-assignments.service';
import { DevTokenIssuer } from '../src/auth/dev-token.service';
import { HOUSEHOLD_QUERY } from '../src/console/console-pages';
import { consolePersonas } from '../src/console/console-router';
import { DatabaseRuntime } from '../src/database/database-runtime';
import { Role } from '../src/engine/principal';
import { SourceConnection } from '../src/sources/sources-config';
import { benchDatabase } from './bench-database';
import { benchHubConfig, forkChild, sandboxRegistry, startHub, syncAndSeed, sourceKeysOf } from './bench-hub';
import { percentile } from './load-plan';
import { watchPages } from './page-timeline';

/**
 * `npm run bench:console`: the console's household case file (`/console/households/:id`) as a browser asks
 * for it, over real HTTP: the session from PostgreSQL, the page's GraphQL call to the hub's own /graphql
 * with policy and the hash-chained audit trail, the live sources, the GOV.UK page rendered. The hub runs in
 * this process; the sandbox sources and the browsers' side in a child (bench/console-load.ts).
 *
 * 1. The case file of a household of `BENCH_MEMBERS` (4) members known to the sources, each source
 *    answering in `BENCH_SOURCE_LATENCY_MS` (50), one page at a time, `BENCH_PAGE_RUNS` (200) times after a
 *    warm-up. Target: p50 at most 1.2 x the slowest source, measured as every source's lookup for the
 *    members at once from the same machine (and at most 1.2 x the latency set).
 *    Where the page's time goes is timed from the hub's side too (bench/page-timeline.ts): before the first
 *    source is asked (the console and the API it runs in process), the sources themselves, and after them.
 * 2. `BENCH_USERS` (50) users, each signed in through the console's own forms with a session of their own,
 *    asking for the same case file as fast as it comes for `BENCH_SECONDS` (30), sources still answering in
 *    50 ms. Target: no error (every answer a 200 page, no outage banner, no refusal).
 */
const households = Number(process.env.BENCH_HOUSEHOLDS ?? 150);
const members = Number(process.env.BENCH_MEMBERS ?? 4);
const latencyMs = Number(process.env.BENCH_SOURCE_LATENCY_MS ?? 50);
const pageRuns = Number(process.env.BENCH_PAGE_RUNS ?? 200);
const users = Number(process.env.BENCH_USERS ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 30);

async function main(): Promise<void> {
  const db = await benchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-console-'));
  const load = forkChild('console-load.ts');
  let app: INestApplication | undefined;
  let runtime: DatabaseRuntime | undefined;
  try {
    const connections = await load.ask<SourceConnection[]>({ cmd: 'start', dir, households });
    const config = await benchHubConfig(db, dir);
    runtime = await DatabaseRuntime.open(config);
    app = await startHub(config, runtime, sandboxRegistry(connections));
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    await syncAndSeed(app);
    const dataSource = app.get(DataSource);

    // A household of `members` people now, the most sources among them first.
    const [household] = await dataSource.query(
      `select m.household_id::text as id, count(distinct m.person_id)::int as members, count(distinct r.source)::int as sources
         from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
        where m.valid_to is null and not r.deleted
        group by m.household_id order by abs(count(distinct m.person_id) - $1), count(distinct r.source) desc, m.household_id limit 1`,
      [members],
    );
    const persona = consolePersonas.find((p) => p.name === 'Account manager')!;
    await app
      .get(CaseAssignmentsService)
      .assign(
        { subjectKind: 'household', subjectId: household.id, team: persona.token.team! },
        { subject: 'bench-admin', organisation: 'council', roles: [Role.Admin] },
      );
    const path = `/console/households/${household.id}`;
    const keys = [...(await sourceKeysOf(dataSource, household.id))];

    await load.ask({ cmd: 'latency', ms: latencyMs });
    const cookies = await load.ask<string[]>({
      cmd: 'signIn',
      base,
      persona: persona.id,
      users,
      purposeUrl: `${path}?purpose=EARLY_HELP`,
    });

    // 1. One page at a time.
    const watch = watchPages(path);
    const pageTimes = await load.ask<number[]>({ cmd: 'page', base, path, cookie: cookies[0], runs: pageRuns });
    const timeline = watch.stop();
    const token = await app.get(DevTokenIssuer).issue({ ...persona.token, ttlSeconds: 3600 });
    const apiTimes = await load.ask<number[]>({
      cmd: 'graphql',
      base,
      token,
      query: HOUSEHOLD_QUERY,
      id: household.id,
      runs: pageRuns,
    });
    const sourceTimes = await load.ask<number[]>({ cmd: 'sources', keys, runs: pageRuns });
    const p50 = percentile(pageTimes, 0.5);
    const slowest = percentile(sourceTimes, 0.5);

    // 2. Every user at once.
    const before = await auditCount(dataSource);
    const loaded = await load.ask<{
      requests: number;
      seconds: number;
      errors: number;
      timeouts: number;
      non2xx: number;
      problems: Record<string, number>;
      times: number[];
    }>({ cmd: 'load', base, path, cookies, connections: users, seconds });
    const audited = (await auditCount(dataSource)).n - before.n;
    const perOperation = await dataSource.query(
      `select operation, count(*)::int as n from audit_event where seq > $1 group by operation order by 2 desc`,
      [before.seq],
    );
    const failures =
      loaded.errors + loaded.timeouts + loaded.non2xx + Object.values(loaded.problems).reduce((a, b) => a + b, 0);

    const lines = [
      { benchmark: 'console', households, database: db.kind, sourceLatencyMs: latencyMs },
      {
        step: 'household case file page, one at a time',
        members: household.members,
        sources: household.sources,
        runs: pageRuns,
        p50ms: round(p50),
        p95ms: round(percentile(pageTimes, 0.95)),
        slowestSourceP50ms: round(slowest),
        overSlowestSource: round(p50 / slowest, 2),
        target: 1.2,
        met: p50 <= 1.2 * slowest,
        overLatencySet: round(p50 / latencyMs, 2),
      },
      { step: "where the page's time goes, from the hub's side (medians)", ...timeline },
      {
        step: "the page's GraphQL query, straight to /graphql (same user, purpose and household)",
        p50ms: round(percentile(apiTimes, 0.5)),
        p95ms: round(percentile(apiTimes, 0.95)),
        overSlowestSource: round(percentile(apiTimes, 0.5) / slowest, 2),
        consoleAddsP50ms: round(p50 - percentile(apiTimes, 0.5)),
      },
      {
        step: `household case file page, ${users} users at once`,
        seconds: round(loaded.seconds),
        pages: loaded.requests,
        pagesPerSecond: round(loaded.requests / loaded.seconds),
        p50ms: round(percentile(loaded.times, 0.5)),
        p95ms: round(percentile(loaded.times, 0.95)),
        p99ms: round(percentile(loaded.times, 0.99)),
        errors: loaded.errors,
        timeouts: loaded.timeouts,
        non2xx: loaded.non2xx,
        problems: loaded.problems,
        householdViewsAudited: audited,
        auditEventsWritten: Object.fromEntries(
          perOperation.map((r: { operation: string; n: number }) => [r.operation, r.n]),
        ),
        target: 'no error',
        met: failures === 0 && audited >= loaded.requests - users,
      },
    ];
    process.stdout.write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  } finally {
    await app?.close();
    await runtime?.close();
    await load.stop();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The household views on the trail (each page one), and the trail's last event. */
async function auditCount(dataSource: DataSource): Promise<{ n: number; seq: string }> {
  const [row] = await dataSource.query(
    `select count(*) filter (where operation = 'household.view')::int as n, coalesce(max(seq), 0)::text as seq from audit_event`,
  );
  return row;
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

main().catch((error: unknown) => {
  process.stderr.write(`bench:console failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
