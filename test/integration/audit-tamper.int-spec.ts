import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { contentHash, headerHash } from '../../src/audit/audit-hash';
import { asSuperuserWithoutTriggers, auditServices, AuditServices, disclosure } from '../support/audit-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const EVENTS = 12;

/** A fresh chain of 12 events with a signed checkpoint at 6, tampered by `tamper`, then verified. */
async function tamperedChain(tamper: (client: Client, s: AuditServices) => Promise<unknown>) {
  const db = await createTestDatabase();
  const s = auditServices(db.dataSource);
  try {
    for (let i = 1; i <= EVENTS; i += 1) {
      await s.audit.record(disclosure(i));
      if (i === 6) await s.checkpoints.checkpoint('manual');
    }
    expect(await s.verifier.verify()).toMatchObject({ valid: true, checkedEvents: EVENTS, checkedCheckpoints: 1 });
    await asSuperuserWithoutTriggers(db.url, (client) => tamper(client, s));
    return await s.verifier.verify();
  } finally {
    await s.close();
    await db.drop();
  }
}

const columns =
  'seq, occurred_at, operation, decision, persons, households, released, withheld, reasons, content_hash, prev_hash, hash';

describe('audit chain verification finds tampering (done as superuser, triggers off)', () => {
  it('an updated field, at its sequence number', async () => {
    const result = await tamperedChain((c) =>
      c.query(`update audit_event set purpose = 'fraud-investigation' where seq = 5`),
    );
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 5, problem: 'event 5 content was changed' });
  });

  it('an update that also recomputes the row’s own hashes, at the next event, which no longer links to it', async () => {
    const result = await tamperedChain(async (c) => {
      const [row] = (await c.query(`select * from audit_event where seq = 8`)).rows;
      row.released = [{ source: 'hub', field: 'identity.name' }];
      const content = contentHash(
        Object.fromEntries(
          [
            'decision',
            'actor_subject',
            'actor_organisation',
            'actor_roles',
            'actor_client',
            'actor_team',
            'actor_token_id',
            'persons',
            'households',
            'released',
            'withheld',
            'purpose',
            'case_reference',
            'agreement_id',
            'agreement_version',
            'basis',
            'consent_id',
            'relationship_id',
            'break_glass_id',
            'reasons',
            'request_id',
            'detail',
          ].map((k) => [k, row[k]]),
        ),
      );
      const hash = headerHash({
        seq: 8,
        prev: row.prev_hash,
        at: row.occurred_at.toISOString(),
        op: row.operation,
        content,
      });
      await c.query(`update audit_event set released = $1, content_hash = $2, hash = $3 where seq = 8`, [
        JSON.stringify(row.released),
        content,
        hash,
      ]);
    });
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 9, problem: 'event 9 does not follow event 8' });
  });

  it('a deleted event, at its sequence number', async () => {
    const result = await tamperedChain((c) => c.query(`delete from audit_event where seq = 7`));
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 7, problem: 'event 7 is missing' });
  });

  it('the last events deleted and the head wound back, at the first missing one', async () => {
    const result = await tamperedChain(async (c) => {
      await c.query(`delete from audit_event where seq > 3`);
      const [row] = (await c.query(`select hash from audit_event where seq = 3`)).rows;
      await c.query(`update audit_chain_head set seq = 3, hash = $1`, [row.hash]);
    });
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('an inserted event, at its sequence number', async () => {
    const result = await tamperedChain(async (c) => {
      // Events from 4 on move up one place to make room for a forged event 4.
      await c.query(`update audit_event set seq = seq + 1000000 where seq >= 4`);
      await c.query(`update audit_event set seq = seq - 1000000 + 1 where seq > 1000000`);
      await c.query(
        `insert into audit_event (${columns}) select 4, occurred_at, operation, decision, persons, households, released, withheld, reasons, content_hash, hash, hash from audit_event where seq = 3`,
      );
    });
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 4 });
  });

  it('an event appended by hand, at its sequence number', async () => {
    const result = await tamperedChain(async (c) => {
      await c.query(
        `insert into audit_event (${columns}) select 13, occurred_at, operation, decision, persons, households, released, withheld, reasons, content_hash, hash, repeat('e', 64) from audit_event where seq = 12`,
      );
      await c.query(`update audit_chain_head set seq = 13, hash = repeat('e', 64)`);
    });
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 13 });
  });

  it('two events swapped, at the first of them', async () => {
    const result = await tamperedChain(async (c) => {
      await c.query(`update audit_event set seq = 1000009 where seq = 9`);
      await c.query(`update audit_event set seq = 9 where seq = 10`);
      await c.query(`update audit_event set seq = 10 where seq = 1000009`);
    });
    expect(result).toMatchObject({ valid: false, firstBrokenSeq: 9 });
  });

  it('a checkpoint whose signature was altered', async () => {
    const result = await tamperedChain(async (c) => {
      const [row] = (await c.query(`select id, jws from audit_checkpoint`)).rows;
      const [header, payload, signature] = (row.jws as string).split('.');
      const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
      await c.query(`update audit_checkpoint set jws = $1 where id = $2`, [
        [header, payload, flipped].join('.'),
        row.id,
      ]);
    });
    expect(result).toMatchObject({
      valid: false,
      firstBrokenSeq: 6,
      problem: expect.stringMatching(/invalid signature/),
    });
  });

  it('a checkpoint re-pointed at a rewritten history', async () => {
    const result = await tamperedChain(async (c) => {
      await c.query(`update audit_checkpoint set hash = repeat('f', 64)`);
    });
    expect(result).toMatchObject({
      valid: false,
      firstBrokenSeq: 6,
      problem: expect.stringMatching(/does not match its signed payload/),
    });
  });
});

describe('audit chain verification of a range', () => {
  let db: TestDatabase;
  let s: AuditServices;
  beforeAll(async () => {
    db = await createTestDatabase();
    s = auditServices(db.dataSource);
    for (let i = 1; i <= 10; i += 1) await s.audit.record(disclosure(i));
  });
  afterAll(async () => {
    await s.close();
    await db.drop();
  });

  it('checks only the range asked for, linked to the event before it', async () => {
    expect(await s.verifier.verify(3, 7)).toMatchObject({ valid: true, checkedEvents: 5, fromSeq: 3, toSeq: 7 });
    await asSuperuserWithoutTriggers(db.url, (c) => c.query(`update audit_event set reasons = '{}' where seq = 9`));
    expect(await s.verifier.verify(3, 7)).toMatchObject({ valid: true });
    expect(await s.verifier.verify(8)).toMatchObject({ valid: false, firstBrokenSeq: 9 });
  });

  it('refuses a range that is not whole positive numbers', async () => {
    await expect(s.verifier.verify(0, 3)).rejects.toThrow(/fromSeq/);
  });
});

describe('audit chain verification after the hub signing key is replaced', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('verifies checkpoints of the old key once its public half is listed in HUB_RETIRED_KEYS_FILE, and only then', async () => {
    const before = auditServices(db.dataSource);
    for (let i = 1; i <= 4; i += 1) await before.audit.record(disclosure(i));
    await before.checkpoints.checkpoint('manual');
    const oldKey = await before.keys.publicJwk();
    await before.close();

    // A new key (its own data directory): new checkpoints are its own, the old one is unknown to it.
    const after = auditServices(db.dataSource);
    for (let i = 5; i <= 6; i += 1) await after.audit.record(disclosure(i));
    await after.checkpoints.checkpoint('manual');
    expect(await after.verifier.verify()).toMatchObject({
      valid: false,
      firstBrokenSeq: 4,
      problem: expect.stringMatching(/unknown key/),
    });
    await after.close();

    const retired = join(mkdtempSync(join(tmpdir(), 'hub-retired-')), 'retired-keys.json');
    writeFileSync(retired, JSON.stringify({ keys: [oldKey] }));
    const withHistory = auditServices(db.dataSource, {
      HUB_SIGNING_KEY_FILE: after.keys.keyFile,
      HUB_RETIRED_KEYS_FILE: retired,
    });
    try {
      expect(await withHistory.verifier.verify()).toMatchObject({
        valid: true,
        checkedEvents: 6,
        checkedCheckpoints: 2,
      });
      const kids = (await db.dataSource.query('select kid from audit_checkpoint order by seq')).map(
        (r: { kid: string }) => r.kid,
      );
      expect(kids).toEqual([oldKey.kid, await withHistory.keys.kid()]);
    } finally {
      await withHistory.close();
    }
  });
});

describe('the audit functions that run with their owner’s rights', () => {
  it('are pinned to their own schema, then pg_temp, so nobody can shadow their tables with a schema of their own', async () => {
    const db = await createTestDatabase();
    try {
      const rows: { proname: string; proconfig: string[] | null }[] = await db.dataSource.query(
        `select proname, proconfig from pg_proc where prosecdef and proname like 'audit\\_%' order by proname`,
      );
      expect(rows.map((row) => row.proname)).toEqual([
        'audit_append',
        'audit_ensure_partitions',
        'audit_event_link',
        'audit_purge',
      ]);
      const [{ schema }] = await db.dataSource.query('select quote_ident(current_schema()) as schema');
      for (const row of rows) expect(row.proconfig).toEqual([`search_path=${schema}, pg_temp`]);
    } finally {
      await db.drop();
    }
  });
});
