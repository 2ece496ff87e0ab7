import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { AppModule } from '../../src/app.module';
import { DevTokenIssuer, DevTokenRequest } from '../../src/auth/dev-token.service';
import { loadConfig } from '../../src/hub-config';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { SourceAdapter } from '../../src/sources/source-adapter';
import { createAdapter } from '../../src/sources/source-registry';
import { SourceRegistry } from '../../src/sources/source-registry.service';
import { SourceConnection } from '../../src/sources/sources-config';
import { SourceErrorCode, SourceException } from '../../src/sources/source-transport';
import { AfterSync } from '../../src/sources/sync/after-sync';
import { IdentitySyncService } from '../../src/sources/sync/identity-sync.service';
import { SandboxSources, startSandboxSources } from './sandbox-sources';
import { createTestDatabase, TestDatabase } from './test-database';

export interface SingleViewHub {
  app: INestApplication;
  db: TestDatabase;
  server: Parameters<typeof import('supertest')>[0];
  sources: SandboxSources;
  /** Per source, the number of keys in each `fetchDetails` call the hub made. */
  calls: Map<string, number[]>;
  resetCalls(): void;
  token(who: DevTokenRequest): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The real hub (real audit trail, real PostgreSQL) whose sources are the three sandbox systems on
 * loopback, already synced, matched into persons and households, with the demo agreements loaded. The
 * adapters are the real ones, wrapped to count `fetchDetails` calls.
 */
export async function startSingleViewHub(
  options: {
    households?: number;
    seed?: string;
    env?: Record<string, string>;
    /** Where the hub reaches each sandbox instead of its own address (a fault proxy in front of it, say). */
    reroute?: (connection: SourceConnection) => Promise<SourceConnection>;
  } = {},
): Promise<SingleViewHub> {
  const sources = await startSandboxSources({
    households: options.households ?? 120,
    seed: options.seed ?? 'single-view',
    pageSize: 200,
    timeoutMs: 2000,
  });
  const reroute = options.reroute;
  const adapters = reroute
    ? new Map(
        await Promise.all(
          [...sources.adapters.keys()].map(
            async (id) => [id, createAdapter(await reroute(sources.connection(id)))] as const,
          ),
        ),
      )
    : sources.adapters;
  const calls = new Map<string, number[]>([...adapters.keys()].map((id) => [id, []]));
  const counting = new Map<string, SourceAdapter>(
    [...adapters].map(([id, adapter]) => [
      id,
      {
        describe: () => adapter.describe(),
        pullIdentities: (cursor) => adapter.pullIdentities(cursor),
        health: () => adapter.health(),
        fetchDetails: (keys, fetchOptions) => {
          calls.get(id)!.push(keys.length);
          return adapter.fetchDetails(keys, fetchOptions);
        },
      },
    ]),
  );
  const registry = {
    configuredIds: () => [...counting.keys()],
    adapters: async () => counting,
    adapter: async (id: string) => {
      const adapter = counting.get(id);
      if (!adapter) throw new SourceException(SourceErrorCode.SOURCE_UNKNOWN, id, 'no such source');
      return adapter;
    },
  };
  const db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-single-view-')),
    DATABASE_URL: db.url,
    RATE_LIMIT_PER_MINUTE: '0',
    ...options.env,
  });
  const runtime = await DatabaseRuntime.open(config);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, runtime)] })
    .overrideProvider(SourceRegistry)
    .useValue(registry)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  const synced = await app.get(IdentitySyncService).sync();
  const failed = synced.filter((s) => s.status === 'failed');
  if (failed.length) throw new Error(`sandbox sync failed: ${JSON.stringify(failed)}`);
  await app.get(AfterSync).run(synced);
  await app.get(AccessSeedService).seedDemo();
  return {
    app,
    db,
    server: app.getHttpServer(),
    sources,
    calls,
    resetCalls: () => {
      for (const list of calls.values()) list.length = 0;
    },
    token: (who) => app.get(DevTokenIssuer).issue(who),
    stop: async () => {
      await app.close();
      await runtime.close();
      await db.drop();
      await sources.close().catch(() => undefined);
    },
  };
}
