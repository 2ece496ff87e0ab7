import { syncSource } from '../../src/sources/sync/source-sync';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GroundTruth } from '../../src/sandbox/borough-model';

const sources = ['housing', 'benefits', 'social-care'] as const;

/** Everything about a record the identity index relies on (bookkeeping times left out). */
async function contentRows(db: TestDatabase, source?: string) {
  return db.dataSource.query(
    `select source, source_key, demographics, household_hints, content_hash, deleted, match_status
       from source_record ${source ? 'where source = $1' : ''} order by source, source_key`,
    source ? [source] : [],
  );
}

// Jest ignores testTimeout inside `projects`; these suites start servers and sync real pages.
jest.setTimeout(60_000);

describe('identity sync from the sandbox sources', () => {
  let sandboxes: SandboxSources;
  let db: TestDatabase;
  let truth: GroundTruth;

  beforeAll(async () => {
    sandboxes = await startSandboxSources({ households: 150 });
    db = await createTestDatabase();
    truth = JSON.parse(await readFile(join(sandboxes.dir, 'ground-truth.json'), 'utf8')) as GroundTruth;
  });
  afterAll(async () => {
    await db?.drop();
    await sandboxes?.close();
  });

  it.each(sources)('loads every %s record in full over HTTP, pages and cursor committed', async (source) => {
    const summary = await syncSource(db.dataSource, source, sandboxes.adapters.get(source)!);
    const expected = truth.records
      .filter((r) => r.source === source)
      .map((r) => r.sourceKey)
      .sort();
    expect(summary).toMatchObject({ status: 'complete', mode: 'full' });
    expect(summary.counts.inserted).toBe(expected.length);
    expect(summary.counts.pages).toBeGreaterThan(1);
    const stored: { source_key: string }[] = await db.dataSource.query(
      'select source_key from source_record where source = $1 order by source_key',
      [source],
    );
    expect(stored.map((r) => r.source_key)).toEqual(expected);
    const [state] = await db.dataSource.query(
      'select status, mode, cursor, full_load_completed_at from source_sync_state where source = $1',
      [source],
    );
    expect(state).toMatchObject({ status: 'idle', mode: 'incremental' });
    expect(state.cursor).toEqual(expect.any(String));
    expect(state.full_load_completed_at).not.toBeNull();
  });

  it('stores demographics in the hub layout with household hints, whatever the source layout', async () => {
    const [housing] = await db.dataSource.query(
      `select demographics, household_hints from source_record where source = 'housing' and household_hints @> '[{"kind":"tenancy"}]' limit 1`,
    );
    expect(housing.demographics.dateOfBirth ?? '2000-01-01').toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(housing.household_hints[0]).toMatchObject({ kind: 'tenancy', groupKey: expect.stringMatching(/^TEN/) });
    const [care] = await db.dataSource.query(
      `select demographics from source_record where source = 'social-care' and demographics ? 'nhsNumber' limit 1`,
    );
    expect(care.demographics.nhsNumber).toMatch(/^\d{10}$/);
    expect(care.demographics.familyName).not.toMatch(/^[A-Z]+$/);
  });

  it('changes nothing when re-run: the incremental sync finds nothing new and writes no row', async () => {
    const before = await db.dataSource.query(
      'select id, change_seq, changed_at, last_seen_at, match_status from source_record order by id',
    );
    for (const source of sources) {
      const summary = await syncSource(db.dataSource, source, sandboxes.adapters.get(source)!);
      expect(summary).toMatchObject({ status: 'complete', mode: 'incremental' });
      expect(summary.counts).toMatchObject({ inserted: 0, updated: 0, deleted: 0, swept: 0 });
    }
    expect(
      await db.dataSource.query(
        'select id, change_seq, changed_at, last_seen_at, match_status from source_record order by id',
      ),
    ).toEqual(before);
  });

  it('changes no content on a forced full re-load either', async () => {
    const before = await contentRows(db);
    for (const source of sources) {
      const summary = await syncSource(db.dataSource, source, sandboxes.adapters.get(source)!, { full: true });
      expect(summary.counts).toMatchObject({ inserted: 0, updated: 0, deleted: 0, swept: 0 });
    }
    expect(await contentRows(db)).toEqual(before);
  });

  it.each([
    [
      'housing',
      'tenant_ref',
      {
        tenant_ref: 'T9990001',
        full_name: 'Ada Lovelace',
        dob: '10/12/1985',
        gender: 'Female',
        property: { uprn: '200003999999', post_code: 'SE15 1AA' },
        tenancy_ref: 'TEN999999',
        tenancy_role: 'Lead Tenant',
      },
      { full_name: 'Ada King' },
    ],
    [
      'benefits',
      'partyId',
      {
        partyId: '49999999-01',
        claimReference: '49999999',
        partyRole: 'CLMT',
        person: { forename: 'Ada', surname: 'Lovelace', dateOfBirth: '1985-12-10', sex: 'F', nino: 'AB123456C' },
      },
      { person: { forename: 'Ada', surname: 'King', dateOfBirth: '1985-12-10', sex: 'F' } },
    ],
    [
      'social-care',
      'personId',
      { personId: '9999999', name: 'LOVELACE, Ada', birthDate: '10-Dec-1985', gender: 'Female', nhsNo: '9434765919' },
      { name: 'KING, Ada' },
    ],
  ])(
    'takes %s changes incrementally: a new record, a changed one and a deletion kept as deleted',
    async (source, keyField, record, changes) => {
      const key = (record as Record<string, string>)[keyField];
      const adapter = sandboxes.adapters.get(source)!;
      const [victim] = await db.dataSource.query(
        `select source_key, demographics from source_record where source = $1 and not deleted order by source_key limit 1`,
        [source],
      );

      await sandboxes.mutate(source, { op: 'upsert', record });
      await sandboxes.mutate(source, { op: 'delete', key: victim.source_key });
      let summary = await syncSource(db.dataSource, source, adapter);
      expect(summary).toMatchObject({ status: 'complete', mode: 'incremental' });
      expect(summary.counts).toMatchObject({ inserted: 1, deleted: 1 });
      const [added] = await db.dataSource.query(
        'select demographics, match_status, deleted from source_record where source = $1 and source_key = $2',
        [source, key],
      );
      expect(added).toMatchObject({
        match_status: 'pending',
        deleted: false,
        demographics: expect.objectContaining({ givenName: 'Ada', familyName: 'Lovelace', dateOfBirth: '1985-12-10' }),
      });
      const [gone] = await db.dataSource.query(
        'select deleted, deleted_at, demographics from source_record where source = $1 and source_key = $2',
        [source, victim.source_key],
      );
      expect(gone.deleted).toBe(true);
      expect(gone.deleted_at).not.toBeNull();
      expect(gone.demographics).toEqual(victim.demographics); // marked, never dropped

      const [{ change_seq: before }] = await db.dataSource.query(
        'select change_seq from source_record where source = $1 and source_key = $2',
        [source, key],
      );
      await sandboxes.mutate(source, { op: 'patch', key, changes });
      summary = await syncSource(db.dataSource, source, adapter);
      expect(summary.counts).toMatchObject({ inserted: 0, updated: 1, deleted: 0 });
      const [changed] = await db.dataSource.query(
        'select demographics, change_seq from source_record where source = $1 and source_key = $2',
        [source, key],
      );
      expect(changed.demographics.familyName).toBe('King');
      expect(BigInt(changed.change_seq)).toBeGreaterThan(BigInt(before));
    },
  );

  it('marks a record the source stopped listing as deleted at the end of a full load (mark and sweep)', async () => {
    // Housing lists only current records in a full listing: the tombstone is not offered, so only the sweep can tell.
    const [victim] = await db.dataSource.query(
      `select source_key from source_record where source = 'housing' and not deleted order by source_key desc limit 1`,
    );
    await sandboxes.mutate('housing', { op: 'delete', key: victim.source_key });
    const summary = await syncSource(db.dataSource, 'housing', sandboxes.adapters.get('housing')!, { full: true });
    expect(summary).toMatchObject({ status: 'complete', mode: 'full' });
    expect(summary.counts.swept).toBe(1);
    const [row] = await db.dataSource.query(
      `select deleted, demographics from source_record where source = 'housing' and source_key = $1`,
      [victim.source_key],
    );
    expect(row.deleted).toBe(true);
    expect(Object.keys(row.demographics).length).toBeGreaterThan(0);
  });

  it('lets one sync per source run at a time', async () => {
    const adapter = sandboxes.adapters.get('benefits')!;
    // A slow source keeps the first sync holding its lock while the second asks for it.
    sandboxes.sandbox('benefits').setLatency(300);
    try {
      const [first, second] = await Promise.all([
        syncSource(db.dataSource, 'benefits', adapter),
        syncSource(db.dataSource, 'benefits', adapter),
      ]);
      expect([first.status, second.status].sort()).toEqual(['complete', 'skipped']);
    } finally {
      sandboxes.sandbox('benefits').setLatency(0);
    }
  });
});
