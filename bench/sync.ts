// `npm run bench:sync`: identity sync throughput for a 5,000-household borough, from the three sandbox
// source systems over real HTTP into PostgreSQL (TEST_DATABASE_URL, else an embedded server under
// .data/bench). Self-contained: its own database and borough, removed afterwards. Bounded: stops after
// BENCH_SYNC_TIMEOUT_S seconds (default 600).
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBorough } from '../src/sandbox/borough-files';
import { launchSandboxes } from '../src/sandbox/sandbox-launcher';
import { createAdapter } from '../src/sources/source-registry';
import { sandboxDefinitions } from '../src/sandbox/sandbox-registry';
import { syncSource, SyncSummary } from '../src/sources/sync/source-sync';
import { benchDatabase } from './bench-database';

const households = Number(process.env.BENCH_HOUSEHOLDS ?? 5000);
const pageSize = Number(process.env.BENCH_PAGE_SIZE ?? 500);
const timeoutMs = Number(process.env.BENCH_SYNC_TIMEOUT_S ?? 600) * 1000;

async function main(): Promise<void> {
  const stop = AbortSignal.timeout(timeoutMs);
  const db = await benchDatabase();
  const dataSource = db.dataSource;
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-borough-'));
  let launched: Awaited<ReturnType<typeof launchSandboxes>> | undefined;
  try {
    let started = Date.now();
    const manifest = await writeBorough(dir, { households, seed: 'bench' }, sandboxDefinitions);
    const generateMs = Date.now() - started;
    launched = await launchSandboxes(sandboxDefinitions, { dir, pageSize });
    const adapters = launched.connections.map((c) => [c.id, createAdapter(c)] as const);

    const run = async (label: string, full: boolean) => {
      const t0 = Date.now();
      const summaries = await Promise.all(
        adapters.map(([id, adapter]) => syncSource(dataSource, id, adapter, { full, signal: stop })),
      );
      const ms = Date.now() - t0;
      const records = summaries.reduce((n, s) => n + s.counts.received, 0);
      return { label, ms, records, recordsPerSecond: Math.round((records / ms) * 1000), sources: summaries.map(brief) };
    };
    started = Date.now();
    const full = await run('full load (empty index)', false);
    const rerunIncremental = await run('incremental re-run (no changes)', false);
    const fullReload = await run('full re-load (no changes, mark and sweep)', true);
    const [{ rows }] = await dataSource.query('select count(*)::int as rows from source_record');
    const header = {
      benchmark: 'sync',
      households,
      people: manifest.people,
      sourceRecords: manifest.records,
      pageSize,
      generateMs,
      database: db.kind,
    };
    const lines = [header, full, rerunIncremental, fullReload, { storedRows: rows, totalMs: Date.now() - started }];
    process.stdout.write(`${lines.map((line) => JSON.stringify(line)).join('\n')}\n`);
    if (full.sources.some((s) => s.status !== 'complete')) process.exitCode = 1;
  } finally {
    await launched?.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

function brief(s: SyncSummary) {
  const { pages, received, inserted, updated, unchanged, swept } = s.counts;
  return {
    source: s.source,
    status: s.status,
    mode: s.mode,
    pages,
    received,
    inserted,
    updated,
    unchanged,
    swept,
    quarantined: s.counts.quarantined,
    ms: s.durationMs,
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:sync failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
