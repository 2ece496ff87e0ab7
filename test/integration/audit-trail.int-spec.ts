import { AuditErrorCode, AuditException } from '../../src/audit/audit.exception';
import { AuditRecorder } from '../../src/engine/audit-recorder';
import { auditServices, AuditServices, breakAuditInserts, disclosure, PERSON_A } from '../support/audit-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/** A caller as the design requires one to be: write the audit event, then release. */
async function releasePerson(audit: AuditRecorder, personId: string): Promise<{ personId: string; name: string }> {
  const record = { personId, name: 'Alex Example' };
  await audit.record(disclosure(1, { subjects: { persons: [personId] } }));
  return record;
}

describe('audit trail: writing', () => {
  let db: TestDatabase;
  let s: AuditServices;
  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource);
  });
  afterAll(async () => {
    await s.close();
    await db.drop();
  });

  it('stores an event per disclosure with every field, names only', async () => {
    const receipt = await s.audit.record(disclosure(4));
    expect(receipt).toEqual({
      seq: '1',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      at: expect.stringMatching(/Z$/),
    });
    const [row] = await db.dataSource.query('select * from audit_event where seq = 1');
    expect(row).toMatchObject({
      operation: 'person.view',
      decision: 'allow-with-redactions',
      actor_subject: 'user-4',
      actor_organisation: 'nhs-trust',
      actor_roles: ['account-manager'],
      actor_client: 'web',
      actor_team: 'housing-options',
      persons: ['p-0000-a'],
      households: ['h-1'],
      released: [
        { source: 'hub', field: 'identity.name' },
        { source: 'housing', field: 'tenancy.rentArrears' },
      ],
      withheld: [{ source: 'social-care', field: 'involvement.status' }],
      purpose: 'homelessness-prevention',
      case_reference: 'CASE-4',
      agreement_id: 'dsa-housing-nhs',
      agreement_version: 3,
      basis: 'UK GDPR 6(1)(e); DPA 2018 Sch 1 para 6',
      relationship_id: 'rel-4',
      consent_id: null,
      break_glass_id: null,
      reasons: [
        'agreement dsa-housing-nhs v3 allows housing fields for this purpose',
        'social-care fields need consent',
      ],
      request_id: 'req-4',
      prev_hash: '0'.repeat(64),
      hash: receipt.hash,
      purged_by: null,
    });
    expect(new Date(row.occurred_at).toISOString()).toBe(receipt.at);
  });

  it('numbers concurrent events without gaps and keeps one valid chain', async () => {
    const receipts = await Promise.all(Array.from({ length: 600 }, (_, i) => s.audit.record(disclosure(i))));
    const seqs = receipts.map((r) => Number(r.seq)).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i + 2));
    const result = await s.verifier.verify();
    expect(result).toMatchObject({ valid: true, checkedEvents: 601, firstBrokenSeq: null });
    const [head] = await db.dataSource.query('select seq from audit_chain_head');
    expect(head.seq).toBe('601');
  });

  it('commits an event with the caller’s transaction, or not at all', async () => {
    await db.dataSource.query('create table merge_probe (id int)');
    const kept = await db.dataSource.transaction(async (manager) => {
      await manager.query('insert into merge_probe values (1)');
      return s.audit.record(disclosure(1, { operation: 'identity.merge', decision: 'change' }), manager);
    });
    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query('insert into merge_probe values (2)');
        await s.audit.record(disclosure(2, { operation: 'identity.merge', decision: 'change' }), manager);
        throw new Error('merge failed after auditing');
      }),
    ).rejects.toThrow('merge failed');
    const next = await s.audit.record(disclosure(3));
    expect(Number(next.seq)).toBe(Number(kept.seq) + 1);
    expect(await db.dataSource.query('select id from merge_probe')).toEqual([{ id: 1 }]);
    expect((await s.verifier.verify()).valid).toBe(true);
  });

  it('rejects a bad event alone, with a clear error, and keeps its batch-mates', async () => {
    const results = await Promise.allSettled([
      s.audit.record(disclosure(1)),
      s.audit.record(disclosure(2, { operation: 'Person View!' })),
      s.audit.record(disclosure(3, { subjects: { persons: ['bad\u0000id'] } })),
      s.audit.record(disclosure(4)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason as AuditException;
    expect(error.code).toBe(AuditErrorCode.AUDIT_EVENT_INVALID);
    expect(error.details?.problem).toMatch(/operation/);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit tables', async () => {
    for (const sql of [
      "update audit_event set purpose = 'other' where seq = 1",
      'delete from audit_event where seq = 1',
      'truncate audit_event',
      'delete from audit_checkpoint',
      'delete from audit_chain_head',
    ]) {
      await expect(db.dataSource.query(sql)).rejects.toThrow(/append-only/);
    }
    await expect(
      db.dataSource.query(
        "insert into audit_event (seq, occurred_at, operation, decision, content_hash, prev_hash, hash) values (1000, now(), 'x', 'allow', repeat('a', 64), repeat('a', 64), repeat('a', 64))",
      ),
    ).rejects.toThrow(/audit chain/);
  });
});

describe('audit trail: fail closed', () => {
  let db: TestDatabase;
  let s: AuditServices;
  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource);
    await s.audit.record(disclosure(0));
    // The audit insert itself now fails, as it would with a full disk or a revoked privilege.
    await breakAuditInserts(db.dataSource);
  });
  afterAll(async () => {
    await s.close();
    await db.drop();
  });

  it('throws AUDIT_UNAVAILABLE and the caller releases nothing', async () => {
    let released: unknown;
    await expect(
      (async () => {
        released = await releasePerson(s.audit, PERSON_A);
      })(),
    ).rejects.toMatchObject({ code: AuditErrorCode.AUDIT_UNAVAILABLE });
    expect(released).toBeUndefined();
  });

  it('fails every concurrent caller, each for itself', async () => {
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => releasePerson(s.audit, PERSON_A)));
    expect(
      results.every(
        (r) => r.status === 'rejected' && (r.reason as AuditException).code === AuditErrorCode.AUDIT_UNAVAILABLE,
      ),
    ).toBe(true);
  });

  it('rolls back the change it was recording', async () => {
    await db.dataSource.query('create table consent_probe (id int)');
    await expect(
      db.dataSource.transaction(async (manager) => {
        await manager.query('insert into consent_probe values (1)');
        await s.audit.record(disclosure(1, { operation: 'consent.record', decision: 'change' }), manager);
      }),
    ).rejects.toMatchObject({ code: AuditErrorCode.AUDIT_UNAVAILABLE });
    expect(await db.dataSource.query('select * from consent_probe')).toEqual([]);
  });

  it('leaves the chain as it was', async () => {
    expect(await s.verifier.verify()).toMatchObject({ valid: true, checkedEvents: 1 });
  });
});
