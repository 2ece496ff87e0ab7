import { AppConfig } from '../../src/config/config';
import { loadConfig } from '../../src/hub-config';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { createHub, Hub } from '../../src/bootstrap';
import { createTestDatabase, TestDatabase } from './test-database';

export interface TestHub extends Hub {
  db: TestDatabase;
  /** The HTTP server, for supertest. */
  server: Parameters<typeof import('supertest')>[0];
  stop(): Promise<void>;
}

/** The real hub, in process, on a fresh database of its own; requests go through real HTTP (supertest). */
export async function startTestHub(
  env: NodeJS.ProcessEnv = {},
  options: {
    /** Runs on the migrated database before the hub starts (e.g. to write audit history from the past). */
    beforeStart?: (db: TestDatabase) => Promise<void>;
  } = {},
): Promise<TestHub> {
  const db = await createTestDatabase();
  await options.beforeStart?.(db);
  // The test server's role is a superuser, which production refuses (audit/audit-role-startup.ts) unless
  // let through; test/integration/audit-role-check.int-spec.ts tests the refusal. Pass 'false' to see it.
  const config: AppConfig = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    AUDIT_ALLOW_PRIVILEGED_ROLE: 'true',
    ...env,
    DATABASE_URL: db.url,
  });
  const runtime = await DatabaseRuntime.open(config);
  const hub = await createHub(config, runtime);
  await hub.app.init();
  return {
    ...hub,
    db,
    server: hub.app.getHttpServer(),
    stop: async () => {
      await hub.close();
      await db.drop();
    },
  };
}
