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
import { SourceAdapter } from '../src/sources/source-adapter';
import { createAdapter } from '../src/sources/source-registry';
import { SourceConnection } from '../src/sources/sources-config';
import { SourceRegistry } from '../src/sources/source-registry.service';
import { AfterSync } from '../src/sources/sync/after-sync';
import { IdentitySyncService } from '../src/sources/sync/identity-sync.service';

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
