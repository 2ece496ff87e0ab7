import { fork } from 'node:child_process';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessSeedService } from '../src/access/seed/access-seed.service';
import { AppModule } from '../src/app.module';
import { AppConfig } from '../src/config/config';
import { AuditRecorder } from '../src/engine/audit-recorder';
import { DatabaseRuntime } from '../src/database/database-runtime';
import { loadConfig } from '../src/hub-config';
import { SourceAdapter } from '../src/sources/source-adapter';
import { createAdapter } from '../src/sources/source-registry';
import { SourceConnection } from '../src/sources/sources-config';
import { SourceRegistry } from '../src/sources/source-registry.service';
import { AfterSync } from '../src/sources/sync/after-sync';
import { IdentitySyncService } from '../src/sources/sync/identity-sync.service';
import type { BenchDatabase } from './bench-database';

/**
 * What the benchmarks that load the single view share (bench/query.ts, bench/load.ts): a hub in this
 * process on the bench database whose sources are the sandboxes of a child process, and that child.
 */

/** A source registry holding the adapters of the sandboxes at `connections` (in place of SOURCES_CONFIG). */
export function sandboxRegistry(connections: SourceConnection[]): object {
  const adapters = new Map<string, SourceAdapter>(connections.map((c) => [c.id, createAdapter(c)]));
  return {
    configuredIds: () => [...adapters.keys()],
    adapters: async () => adapters,
    adapter: async (id: string) => adapters.get(id)!,
  };
}

/**
 * The configuration of a bench hub on the bench database (whose own connection is closed first: the hub
 * opens its own), with the request and disclosure budgets off, so that only speed is measured.
 */
export async function benchHubConfig(db: BenchDatabase, dir: string): Promise<AppConfig> {
  const url = (db.dataSource.options as { url: string }).url;
  await db.dataSource.destroy();
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: url,
    HUB_DATA_DIR: join(dir, 'hub'),
    RATE_LIMIT_PER_MINUTE: '0',
    PERSONS_PER_MINUTE: '0',
    PERSONS_PER_DAY: '0',
  });
}

/** A hub in this process on the bench database and sources; `recorder`: an audit recorder in place of the trail. */
export async function startHub(
  config: AppConfig,
  runtime: DatabaseRuntime,
  registry: object,
  options: { recorder?: (dataSource: DataSource) => AuditRecorder } = {},
): Promise<INestApplication> {
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, runtime)] })
    .overrideProvider(SourceRegistry)
    .useValue(registry);
  if (options.recorder)
    builder = builder.overrideProvider(AuditRecorder).useFactory({ factory: options.recorder, inject: [DataSource] });
  const app = (await builder.compile()).createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return app;
}

export async function graphqlUrl(app: INestApplication): Promise<string> {
  return `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
}

/** The borough synced from the sandboxes, matched into persons and households, with the demo agreements. */
export async function syncAndSeed(app: INestApplication): Promise<void> {
  const synced = await app.get(IdentitySyncService).sync();
  const failed = synced.filter((s) => s.status === 'failed');
  if (failed.length) throw new Error(`sandbox sync failed: ${failed.map((s) => s.source).join(', ')}`);
  await app.get(AfterSync).run(synced);
  await app.get(AccessSeedService).seedDemo();
}

export interface BenchChild {
  /** Sends a command and waits for its reply (one command at a time). */
  ask<T = unknown>(command: object): Promise<T>;
  stop(): Promise<void>;
}

/**
 * A benchmark's helper process (`script` beside this file, run through the same TypeScript loader), driven
 * over IPC: each command is answered `{ok, result}` or `{ok: false, error}`; `{cmd: 'stop'}` ends it.
 */
export function forkChild(script: string): BenchChild {
  const child = fork(join(__dirname, script), [], {
    execArgv: ['-r', join(__dirname, '..', 'test', 'support', 'swc-register.cjs')],
  });
  const ask = <T = unknown>(command: object): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (reply: { ok: boolean; result?: T; error?: string }) =>
        reply.ok ? resolve(reply.result as T) : reject(new Error(reply.error)),
      );
      child.send(command);
    });
  return {
    ask,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await ask({ cmd: 'stop' }).catch(() => child.kill());
      await exited;
    },
  };
}

/** Each source's keys for the current members of a household (what the one-at-a-time steps ask the sources for). */
export async function sourceKeysOf(dataSource: DataSource, householdId: string): Promise<Map<string, string[]>> {
  const rows: { source: string; keys: string[] }[] = await dataSource.query(
    `select r.source, array_agg(r.source_key) as keys
       from household_membership m join person_link l on l.person_id = m.person_id join source_record r on r.id = l.source_record_id
      where m.household_id = $1 and m.valid_to is null and not r.deleted group by r.source`,
    [householdId],
  );
  return new Map(rows.map((r) => [r.source, r.keys]));
}
