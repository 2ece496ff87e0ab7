import { randomBytes } from 'node:crypto';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Client } from 'pg';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditCheckpointService } from '../../src/audit/audit-checkpoint.service';
import { AuditHealthIndicator } from '../../src/audit/audit-health';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { AuditService } from '../../src/audit/audit.service';
import { DevTokenIssuer } from '../../src/auth/dev-token.service';
import { Role } from '../../src/engine/principal';
import { APP_CONFIG } from '../../src/config/config.module';
import { DatabaseHealthIndicator } from '../../src/health/database-health';
import { asSuperuserWithoutTriggers, breakAuditInserts, disclosure } from '../support/audit-fixtures';
import { startTestHub, TestHub } from '../support/test-hub';

/** Readiness includes the audit trail: without it nothing is released, and the probe says why (to an operator). */
describe('readiness and the audit trail', () => {
  let hub: TestHub;
  let operator: string;
  beforeAll(async () => {
    // Checkpoints by hand only (the interval is long), so the test decides how old the last one is.
    hub = await startTestHub({ AUDIT_CHECKPOINT_INTERVAL: '600' });
    operator = await hub.app
      .get(DevTokenIssuer)
      .issue({ subject: 'ops-admin', organisation: 'council', roles: [Role.Admin] });
  });
  afterAll(() => hub.stop());

  /** The checks behind the answer are for an operator; anyone else hears up or down (test/e2e/floods-and-refusals.e2e-spec.ts). */
  const readiness = () => request(hub.server).get('/health').set('authorization', `Bearer ${operator}`);
  const publicReadiness = () => request(hub.server).get('/health');

  it('is up, with the chain head and the last signed checkpoint (none yet)', async () => {
    await hub.app.get(AuditRecorder).record(disclosure(1));
    const res = await readiness().expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.info.audit).toEqual({ status: 'up', headSeq: expect.any(Number), lastCheckpoint: null });
    expect(res.body.info.audit.headSeq).toBeGreaterThan(0);
  });

  it('is degraded while the trail cannot take events, and up again once one is written', async () => {
    const restore = await breakAuditInserts(hub.db.dataSource);
    try {
      await expect(hub.app.get(AuditRecorder).record(disclosure(2))).rejects.toMatchObject({
        code: 'AUDIT_UNAVAILABLE',
      });
      const res = await readiness().expect(200);
      expect(res.body.status).toBe('degraded');
      expect(res.body.info.audit).toMatchObject({
        status: 'degraded',
        problem: expect.stringMatching(/could not be written \(SQLSTATE P0001;/),
        since: expect.any(String),
      });
      // Even an operator's answer leaves PostgreSQL's message, which may quote data, in the log.
      expect(JSON.stringify(res.body)).not.toContain('disk full');
      expect(res.body.info.database.status).toBe('up');
      // Still ready: anyone else hears up, and nothing of why.
      expect((await publicReadiness().expect(200)).body).toEqual({ status: 'up' });
    } finally {
      await restore();
    }
    await hub.app.get(AuditRecorder).record(disclosure(3));
    expect((await readiness().expect(200)).body.info.audit.status).toBe('up');
  });

  it('is degraded (still ready) when events have gone unsigned for three checkpoint intervals', async () => {
    const checkpoint = await hub.app.get(AuditCheckpointService).checkpoint('manual');
    expect((await readiness().expect(200)).body.info.audit.lastCheckpoint).toEqual({
      seq: Number(checkpoint!.seq),
      ageSeconds: expect.any(Number),
    });
    await hub.app.get(AuditRecorder).record(disclosure(4));
    await asSuperuserWithoutTriggers(hub.db.url, (c) =>
      c.query(`update audit_checkpoint set created_at = now() - interval '31 minutes' where id = $1`, [checkpoint!.id]),
    );
    const res = await readiness().expect(200);
    expect(res.body.status).toBe('degraded');
    expect(res.body.info.audit).toMatchObject({
      status: 'degraded',
      problem: expect.stringMatching(/no signed checkpoint for 18\d\d s \(AUDIT_CHECKPOINT_INTERVAL is 600 s\)/),
    });
  });

  it('is down when the database role may not append to the trail', async () => {
    await hub.app.get(AuditCheckpointService).checkpoint('manual');
    const role = `hub_probe_${randomBytes(4).toString('hex')}`;
    await hub.db.dataSource.query(`create role ${role} login`);
    await hub.db.dataSource.query(`select audit_grant_app_role($1)`, [role]);
    const url = new URL(hub.db.url);
    url.username = role;
    url.password = '';
    const asRole = new DataSource({ type: 'postgres', url: url.toString() });
    await asRole.initialize();
    try {
      const indicator = () =>
        new AuditHealthIndicator(
          new HealthIndicatorService(),
          asRole,
          new AuditService(asRole),
          hub.app.get(APP_CONFIG),
        ).check();
      expect(await indicator()).toMatchObject({ audit: { status: 'up' } });
      await hub.db.dataSource.query(`revoke execute on function audit_append(jsonb) from ${role}`);
      expect(await indicator()).toMatchObject({
        audit: { status: 'down', problem: expect.stringMatching(/may not append/) },
      });
    } finally {
      await asRole.destroy();
      await hub.db.dataSource.query(`drop owned by ${role}`);
      await hub.db.dataSource.query(`drop role ${role}`);
    }
  });

  // Public: an operator's token would need the database too (its request budget is counted there), so
  // while the database is out the checks behind the answer are in the log.
  it('is down when the database cannot be reached, without saying where it is or what it is called', async () => {
    const name = new URL(hub.db.url).pathname.slice(1);
    // From the server's maintenance database: every connection to the hub's is cut, and no new one let in.
    const serverUrl = new URL(hub.db.url);
    serverUrl.pathname = '/postgres';
    const admin = new Client({ connectionString: serverUrl.toString() });
    await admin.connect();
    try {
      await admin.query(`alter database "${name}" allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      const res = await publicReadiness().expect(503);
      expect(res.body).toEqual({ status: 'down' });
      // What an operator would read: the kind of failure, never the driver's message.
      const checks = {
        ...(await hub.app.get(DatabaseHealthIndicator).check()),
        ...(await hub.app.get(AuditHealthIndicator).check()),
      };
      expect(checks.database).toEqual({
        status: 'down',
        problem: expect.stringMatching(/did not answer \((SQLSTATE [0-9A-Z]{5}|E[A-Z]+);/),
      });
      expect(checks.audit).toMatchObject({ status: 'down' });
      for (const body of [JSON.stringify(res.body), JSON.stringify(checks)]) {
        for (const secret of [name, '127.0.0.1', '5432', 'postgres']) expect(body).not.toContain(secret);
      }
    } finally {
      await admin.query(`alter database "${name}" allow_connections true`);
      await admin.end();
    }
    expect((await readiness().expect(200)).body.info.database.status).toBe('up');
  });
});
