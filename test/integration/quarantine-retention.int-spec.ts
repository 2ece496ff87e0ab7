import { QuarantinePurgeService, SCHEDULER_ACTOR } from '../../src/sources/quarantine/quarantine-purge.service';
import { syncStore } from '../../src/sources/sync/sync-store';
import { auditServices, AuditServices } from '../support/audit-fixtures';
import { RecordingAuditRecorder } from '../support/recording-audit';
import { createTestDatabase, TestDatabase } from '../support/test-database';

interface Row {
  id: string;
  source: string;
  source_key: string | null;
  scope: string;
  field: string | null;
  reason_code: string;
  reason: string;
  raw: unknown;
  fingerprint: string;
  first_seen_at: Date;
  last_seen_at: Date;
  occurrences: number;
  resolved_at: Date | null;
  raw_purged_at: Date | null;
}

/** Quarantine rows as the sync would have left them, `daysAgo` in the past (the sync stamps them with now()). */
const rows = {
  oldField: {
    scope: 'field',
    key: 'T1',
    field: 'dateOfBirth',
    code: 'malformed-date',
    reason: 'dateOfBirth: "31/02/1980" is not a dd/MM/yyyy date',
    raw: { dateOfBirth: '31/02/1980' },
    seen: 40,
  },
  oldRecord: {
    scope: 'record',
    key: null,
    field: null,
    code: 'missing-key',
    reason: 'tenant_ref: missing',
    raw: { full_name: 'No Key', dob: '01/01/1990' },
    seen: 31,
  },
  oldPage: {
    scope: 'page',
    key: null,
    field: null,
    code: 'http-error',
    reason: 'HTTP 500 from GET /tenants/changes',
    raw: { cursor: 'c-17', status: 500, body: 'Jane Doe 01/01/1990' },
    seen: 45,
  },
  recentField: {
    scope: 'field',
    key: 'T2',
    field: 'nino',
    code: 'invalid-nino',
    reason: 'nino: "QQ123456E" is not a valid National Insurance number',
    raw: { nino: 'QQ123456E' },
    seen: 29,
    first: 400,
  },
  resolvedLongAgo: {
    scope: 'field',
    key: 'T3',
    field: 'nino',
    code: 'invalid-nino',
    reason: 'nino: "QQ000000A" is not a valid National Insurance number',
    raw: { nino: 'QQ000000A' },
    seen: 60,
    resolved: 31,
  },
  resolvedRecently: {
    scope: 'field',
    key: 'T4',
    field: 'nhsNumber',
    code: 'invalid-nhs-number',
    reason: 'nhsNumber: "1234567890" fails the NHS number check',
    raw: { nhsNumber: '1234567890' },
    seen: 40,
    resolved: 10,
  },
  oldWithoutRaw: {
    scope: 'record',
    key: 'T5',
    field: null,
    code: 'invalid-record',
    reason: 'person: missing',
    raw: null,
    seen: 50,
  },
} as const;
type Name = keyof typeof rows;

describe('quarantine retention (QUARANTINE_RETENTION_DAYS)', () => {
  let db: TestDatabase;
  let s: AuditServices;
  let purge: QuarantinePurgeService;
  const ids = new Map<Name, string>();
  const row = async (name: Name): Promise<Row | undefined> =>
    (await db.dataSource.query('select * from quarantine where id = $1', [ids.get(name)]))[0];

  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource, { QUARANTINE_RETENTION_DAYS: '30' });
    purge = new QuarantinePurgeService(db.dataSource, s.audit, s.config);
    for (const [name, r] of Object.entries(rows) as [Name, (typeof rows)[Name]][]) {
      const [{ id }] = await db.dataSource.query(
        `insert into quarantine (source, source_key, scope, field, reason_code, reason, raw, fingerprint, first_seen_at, last_seen_at, occurrences, resolved_at)
         values ('housing', $1, $2, $3, $4, $5, $6, $7, now() - make_interval(days => $8), now() - make_interval(days => $9), 3,
                 case when $10::int is null then null else now() - make_interval(days => $10::int) end)
         returning id`,
        [
          r.key,
          r.scope,
          r.field,
          r.code,
          r.reason,
          r.raw === null ? null : JSON.stringify(r.raw),
          `fp-${name}`,
          'first' in r ? r.first : r.seen + 5,
          r.seen,
          'resolved' in r ? r.resolved : null,
        ],
      );
      ids.set(name, String(id));
    }
  });
  afterAll(async () => {
    await s?.close();
    await db?.drop();
  });

  it('purges nothing when the audit event cannot be written (fail closed)', async () => {
    const audit = new RecordingAuditRecorder();
    audit.failWith = new Error('audit down');
    const before = await db.dataSource.query('select * from quarantine order by id');
    await expect(new QuarantinePurgeService(db.dataSource, audit, s.config).purge(SCHEDULER_ACTOR)).rejects.toThrow(
      'audit down',
    );
    expect(await db.dataSource.query('select * from quarantine order by id')).toEqual(before);
  });

  it('clears raw of exactly the rows last seen before the retention, keeps what was wrong, and deletes rows resolved before it', async () => {
    const before = new Map<Name, Row>();
    for (const name of ids.keys()) before.set(name, (await row(name))!);

    expect(await purge.purge(SCHEDULER_ACTOR)).toEqual({ purgedRaw: 4, deletedResolved: 1, retentionDays: 30 });

    for (const name of ['oldField', 'oldRecord', 'oldPage', 'resolvedRecently'] as Name[]) {
      const after = (await row(name))!;
      const { raw: _raw, raw_purged_at: purgedAt, reason: _reason, ...kept } = after;
      const { raw: _was, raw_purged_at: _none, reason: _wasReason, ...keptBefore } = before.get(name)!;
      expect(kept).toEqual(keptBefore);
      expect(purgedAt).toBeInstanceOf(Date);
      expect(Math.abs(purgedAt!.getTime() - Date.now())).toBeLessThan(60_000);
    }
    expect((await row('oldField'))!).toMatchObject({
      raw: null,
      reason: 'dateOfBirth: (purged) is not a dd/MM/yyyy date',
      field: 'dateOfBirth',
      reason_code: 'malformed-date',
    });
    expect((await row('oldRecord'))!).toMatchObject({ raw: null, reason: 'tenant_ref: missing' });
    expect((await row('resolvedRecently'))!).toMatchObject({
      raw: null,
      reason: 'nhsNumber: (purged) fails the NHS number check',
      resolved_at: before.get('resolvedRecently')!.resolved_at,
    });
    // A page keeps only its cursor: the source's position, which a later read of that page resolves it by.
    expect((await row('oldPage'))!.raw).toEqual({ cursor: 'c-17' });

    expect(await row('recentField')).toEqual(before.get('recentField'));
    expect(await row('oldWithoutRaw')).toEqual(before.get('oldWithoutRaw'));
    expect(await row('resolvedLongAgo')).toBeUndefined();

    const everything = JSON.stringify(
      await db.dataSource.query('select * from quarantine where raw_purged_at is not null'),
    );
    for (const value of ['31/02/1980', 'No Key', 'Jane Doe', '1234567890']) expect(everything).not.toContain(value);
  });

  it('records the purge in the audit trail, with counts only', async () => {
    const events = await db.dataSource.query(
      `select actor_subject, decision, reasons, detail, persons from audit_event where operation = 'quarantine.purge'`,
    );
    expect(events).toEqual([
      {
        actor_subject: 'system:scheduler',
        decision: 'change',
        reasons: ['retention'],
        detail: { retentionDays: 30, purgedRaw: 4, deletedResolved: 1 },
        persons: [],
      },
    ]);
    expect(await s.verifier.verify()).toMatchObject({ valid: true });
  });

  it('purges nothing on a second run', async () => {
    const before = await db.dataSource.query('select * from quarantine order by id');
    expect(await purge.purge(SCHEDULER_ACTOR)).toEqual({ purgedRaw: 0, deletedResolved: 0, retentionDays: 30 });
    expect(await db.dataSource.query('select * from quarantine order by id')).toEqual(before);
  });

  it('holds the value again, unmarked, when the same problem comes back; a purged page still resolves when read', async () => {
    await db.dataSource.transaction(async (em) => {
      const runId = await syncStore.startRun(em, 'housing', 'incremental', null);
      await syncStore.quarantine(em, 'housing', runId, [
        {
          scope: 'field',
          sourceKey: 'T1',
          field: 'dateOfBirth',
          code: 'malformed-date',
          reason: 'dateOfBirth: "31/02/1980" is not a dd/MM/yyyy date',
          raw: { dateOfBirth: '31/02/1980' },
          fingerprint: 'fp-oldField',
        },
      ]);
      await syncStore.resolve(em, 'housing', runId, [], 'c-17');
    });
    expect(await row('oldField')).toMatchObject({
      raw: { dateOfBirth: '31/02/1980' },
      raw_purged_at: null,
      reason: 'dateOfBirth: "31/02/1980" is not a dd/MM/yyyy date',
      occurrences: 4,
    });
    expect((await row('oldPage'))!.resolved_at).toBeInstanceOf(Date);
  });
});
