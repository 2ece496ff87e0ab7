import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { loadConfig } from '../../src/hub-config';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { RecordingAuditRecorder } from './recording-audit';
import { createTestDatabase, TestDatabase } from './test-database';

export interface AccessTestHub {
  app: INestApplication;
  db: TestDatabase;
  audit: RecordingAuditRecorder;
  server: Parameters<typeof import('supertest')>[0];
  stop(): Promise<void>;
}

/**
 * The real hub plus extra test modules (e.g. probe resolvers), with the audit port replaced by a recording
 * double so that each suite can assert the events the access module emits (the audit trail has its own suites).
 */
export async function startAccessTestHub(
  extra: Type[] = [],
  overrides: [unknown, unknown][] = [],
): Promise<AccessTestHub> {
  const db = await createTestDatabase();
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-access-')),
    DATABASE_URL: db.url,
  });
  const runtime = await DatabaseRuntime.open(config);
  const audit = new RecordingAuditRecorder();
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config, runtime), ...extra] })
    .overrideProvider(AuditRecorder)
    .useValue(audit);
  for (const [token, value] of overrides) builder = builder.overrideProvider(token).useValue(value);
  const app = (await builder.compile()).createNestApplication({ logger: false });
  await app.init();
  return {
    app,
    db,
    audit,
    server: app.getHttpServer(),
    stop: async () => {
      await app.close();
      await runtime.close();
      await db.drop();
    },
  };
}
