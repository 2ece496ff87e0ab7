import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { prepareEvent } from '../../src/audit/audit-content';
import { AuditRetentionService, SYSTEM_ACTOR } from '../../src/audit/audit-retention.service';
import {
  appendHistoric,
  asSuperuserWithoutTriggers,
  auditServices,
  AuditServices,
  disclosure,
} from '../support/audit-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const DAY = 86_400_000;

describe('audit retention', () => {
  let db: TestDatabase;
  let s: AuditServices;
  let retention: AuditRetentionService;
  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource, { AUDIT_RETENTION: '{"auth.":365,"person.view":3000}' });
    retention = new AuditRetentionService(db.dataSource, s.audit, s.checkpoints, s.config);
    const old = new Date(Date.now() - 400 * DAY);
    await appendHistoric(db.dataSource, [
      { input: { operation: 'auth.failure', decision: 'deny', reasons: ['expired'] }, at: old },
      { input: disclosure(1), at: new Date(old.getTime() + 1000) },
      {
        input: { operation: 'auth.failure', decision: 'deny', reasons: ['bad-signature'] },
        at: new Date(old.getTime() + 2000),
      },
      {
        input: { operation: 'auth.failure', decision: 'deny', reasons: ['expired'] },
        at: new Date(Date.now() - 10 * DAY),
      },
    ]);
    await s.audit.record({ operation: 'auth.failure', decision: 'deny', reasons: ['missing-token'] });
    await s.audit.record(disclosure(2));
  });
  afterAll(async () => {
    await s.close();
    await db.drop();
  });

  it('previews what each class would lose', async () => {
    const preview = await retention.preview();
    expect(preview.due).toEqual([{ match: 'auth.', days: 365, events: 2 }]);
    expect(preview.rules).toEqual(
      expect.arrayContaining([
        { match: '*', days: 2190 },
        { match: 'person.view', days: 3000 },
      ]),
    );
  });

  it('erases only events past their class’s retention, checkpoints first, audits itself, and leaves a valid chain', async () => {
    const result = await retention.purge(SYSTEM_ACTOR);
    expect(result).toMatchObject({ erased: 2, checkpointSeq: '6', purgeSeq: '7' });
    const rows = await db.dataSource.query(
      'select seq, operation, decision, reasons, purged_by, hash from audit_event order by seq',
    );
    expect(rows.map((r: { seq: string; purged_by: string | null }) => [r.seq, r.purged_by])).toEqual([
      ['1', '7'],
      ['2', null],
      ['3', '7'],
      ['4', null],
      ['5', null],
      ['6', null],
      ['7', null],
      ['8', null],
    ]);
    expect(rows[0]).toMatchObject({ operation: 'auth.failure', decision: null, reasons: null });
    expect(rows.slice(6).map((r: { operation: string }) => r.operation)).toEqual([
      'audit.purge',
      'audit.purge-completed',
    ]);
    const [checkpoint] = await db.dataSource.query(`select seq, reason from audit_checkpoint where reason = 'purge'`);
    expect(checkpoint).toEqual({ seq: '6', reason: 'purge' });
    expect(await s.verifier.verify()).toMatchObject({ valid: true, checkedEvents: 8 });
    expect((await retention.purge(SYSTEM_ACTOR)).erased).toBe(0);
  });

  it('finds content erased other than by a purge', async () => {
    await asSuperuserWithoutTriggers(db.url, (c) =>
      c.query(
        `update audit_event set purged_by = 5, decision = null, persons = null, actor_subject = null where seq = 2`,
      ),
    );
    expect(await s.verifier.verify()).toMatchObject({
      valid: false,
      firstBrokenSeq: 2,
      problem: 'event 2 was erased without a purge',
    });
  });
});

describe('audit tables as the application role sees them', () => {
  let db: TestDatabase;
  let s: AuditServices;
  const role = `hub_app_${randomBytes(4).toString('hex')}`;
  let app: Client;
  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource);
    await s.audit.record(disclosure(1));
    await db.dataSource.query(`create role ${role} login`);
    await db.dataSource.query(`select audit_grant_app_role($1)`, [role]);
    const url = new URL(db.url);
    url.username = role;
    url.password = '';
    app = new Client({ connectionString: url.toString() });
    await app.connect();
  });
  afterAll(async () => {
    await app.end();
    await s.close();
    await db.drop();
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop role if exists ${role}`);
    await admin.end();
  });

  it('can append through audit_append and read, but cannot update, delete, disable triggers or purge', async () => {
    const event = prepareEvent(disclosure(2));
    const { rows } = await app.query('select event_seq from audit_append($1::jsonb)', [JSON.stringify([event])]);
    expect(rows).toEqual([{ event_seq: '2' }]);
    await expect(app.query(`update audit_event set purpose = 'x'`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`delete from audit_event`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`update audit_chain_head set seq = 0`)).rejects.toThrow(/permission denied/);
    await expect(app.query(`alter table audit_event disable trigger user`)).rejects.toThrow(/must be owner/);
    await expect(app.query(`select audit_purge('[]'::jsonb, 1)`)).rejects.toThrow(/permission denied/);
    await expect(
      app.query(
        `insert into audit_event (seq, occurred_at, operation, decision, content_hash, prev_hash, hash) values (3, now(), 'x', 'allow', repeat('a', 64), repeat('a', 64), repeat('a', 64))`,
      ),
    ).rejects.toThrow(/permission denied/);
    expect(await s.verifier.verify()).toMatchObject({ valid: true, checkedEvents: 2 });
  });
});
