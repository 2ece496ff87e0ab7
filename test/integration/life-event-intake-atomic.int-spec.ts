import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AccessSeedService } from '../../src/access/seed/access-seed.service';
import { AppModule } from '../../src/app.module';
import { DatabaseRuntime } from '../../src/database/database-runtime';
import { Principal, Role } from '../../src/engine/principal';
import { loadConfig } from '../../src/hub-config';
import { IdentityIndexService } from '../../src/identity/index/identity-index.service';
import { LifeEventOutbox } from '../../src/life-events/delivery/life-event-outbox';
import { LifeEventIntakeService } from '../../src/life-events/intake/life-event-intake.service';
import { LifeEventSubscriptionsService } from '../../src/life-events/subscriptions/life-event-subscriptions.service';
import { fixturePeople, insertSourceRecords } from '../support/identity-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The transactional outbox's promise: the event, its deliveries, their audit events, what it changed in the
 * index and the deliveries' jobs commit together or not at all. Here the queue refuses the jobs: nothing of
 * the report may remain.
 */
describe('life event intake: one transaction', () => {
  let db: TestDatabase;
  let runtime: DatabaseRuntime;
  let app: INestApplication;
  let queueDown = true;
  const enqueued: string[] = [];
  const registrar: Principal = { subject: 'reg-1', organisation: 'council', roles: [Role.Registrar] };

  beforeAll(async () => {
    db = await createTestDatabase();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HUB_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-life-events-')),
      DATABASE_URL: db.url,
      AUDIT_ALLOW_PRIVILEGED_ROLE: 'true',
    });
    runtime = await DatabaseRuntime.open(config);
    const outbox: LifeEventOutbox = {
      enqueue: async (_manager, ids) => {
        if (queueDown) throw new Error('the queue is down');
        enqueued.push(...ids);
      },
    };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, runtime)] })
      .overrideProvider(LifeEventOutbox)
      .useValue(outbox)
      .compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    await app.get(AccessSeedService).seedDemo();
    await app.get(LifeEventSubscriptionsService).seedDemo();
    await insertSourceRecords(
      db.dataSource,
      fixturePeople(80, 3).map((p) => ({ source: 'housing', fields: p.fields })),
    );
    await app.get(IdentityIndexService).matchPending();
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await db?.drop();
  });

  const count = async (sql: string) => Number((await db.dataSource.query(sql))[0].count);

  it('leaves nothing behind when the jobs cannot be queued, and commits everything when they can', async () => {
    const [{ id: personId }] = await db.dataSource.query(`select id::text from person order by id limit 1`);
    const auditBefore = await count(`select count(*) from audit_event where operation like 'life-event.%'`);
    const report = {
      type: 'DEATH' as const,
      personId,
      date: '2026-01-05',
      evidenceReference: 'GRO:DE-2026-000900',
    };
    await expect(app.get(LifeEventIntakeService).report(report, registrar)).rejects.toThrow('the queue is down');
    expect(await count(`select count(*) from life_event`)).toBe(0);
    expect(await count(`select count(*) from life_event_delivery`)).toBe(0);
    expect(await count(`select count(*) from audit_event where operation like 'life-event.%'`)).toBe(auditBefore);
    expect(await count(`select count(*) from person where date_of_death is not null`)).toBe(0);

    queueDown = false;
    const { event, repeat } = await app.get(LifeEventIntakeService).report(report, registrar);
    expect(repeat).toBe(false);
    const deliveries: { id: string }[] = await db.dataSource.query(
      `select id::text from life_event_delivery where event_id = $1`,
      [event.id],
    );
    expect(deliveries).toEqual([expect.objectContaining({ id: expect.any(String) })]);
    expect(enqueued).toEqual(deliveries.map((d) => d.id));
    expect(await count(`select count(*) from audit_event where operation = 'life-event.disclose'`)).toBe(
      deliveries.length,
    );
    expect(await count(`select count(*) from person where date_of_death is not null`)).toBe(1);
  });
});
