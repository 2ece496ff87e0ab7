import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditCheckpointService } from '../src/audit/audit-checkpoint.service';
import { AuditVerifierService } from '../src/audit/audit-verifier.service';
import { AuditService } from '../src/audit/audit.service';
import { loadConfig } from '../src/hub-config';
import { dataSourceOptions } from '../src/database/data-source-options';
import { DatabaseRuntime, ensureDatabase } from '../src/database/database-runtime';
import { HubKeyService } from '../src/keys/hub-key.service';
import { benchEvent } from './audit-writer';

/**
 * `npm run bench:audit`: audit events per second through the hash chain with concurrent writers (in one
 * process and in two processes on one database) and chain verification speed. (What auditing costs a
 * person view is measured on the real single view by `npm run bench:query`.) Runs on DATABASE_URL's
 * server, or the embedded one, in a database of its own that it drops afterwards. Prints one JSON document.
 */
const run = promisify(execFile);
const EVENTS_PER_RUN = Number(process.env.BENCH_AUDIT_EVENTS ?? 20_000);

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
    for (const writers of [1, 8, 32, 64])
      inProcess.push(await throughput(audit, writers, writers === 1 ? 2_000 : EVENTS_PER_RUN));
    report.throughputOneProcess = inProcess;
    report.throughputTwoProcesses = await twoProcesses(url, EVENTS_PER_RUN / 2, 32);

    const keys = new HubKeyService({
      ...config,
      dataDir: mkdtempSync(join(tmpdir(), 'hub-bench-')),
      signingKeyFile: undefined,
    });
    const verifier = new AuditVerifierService(dataSource, new AuditCheckpointService(dataSource, keys, config));
    const started = performance.now();
    const verification = await verifier.verify();
    const seconds = (performance.now() - started) / 1000;
    report.verification = { ...verification, eventsPerSecond: Math.round(verification.checkedEvents / seconds) };

    report.personQuery = 'measured on the real single view by npm run bench:query (audited against auditing disabled)';
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
    run(process.execPath, [
      ...register,
      script,
      '--url',
      url,
      '--events',
      String(eventsEach),
      '--concurrency',
      String(writersEach),
      '--barrier',
      String(barrier),
    ]),
  );
  for (let waiting = 0; waiting < 2;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    waiting = (
      await gate.query(
        `select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = $1 and not granted`,
        [barrier],
      )
    ).rows[0].n;
  }
  const started = performance.now();
  await gate.query('select pg_advisory_unlock($1)', [barrier]);
  await gate.end();
  const results = (await Promise.all(children)).map(
    ({ stdout }) => JSON.parse(stdout) as { events: number; ms: number },
  );
  const seconds = (performance.now() - started) / 1000;
  const events = results.reduce((sum, r) => sum + r.events, 0);
  return { processes: 2, writersPerProcess: writersEach, events, eventsPerSecond: Math.round(events / seconds) };
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:audit failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
