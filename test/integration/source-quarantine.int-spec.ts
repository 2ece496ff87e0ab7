import { syncSource } from '../../src/sources/sync/source-sync';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { createTestDatabase, TestDatabase } from '../support/test-database';

// Jest ignores testTimeout inside `projects`; these suites start servers and sync real pages.
jest.setTimeout(60_000);

describe('bad input from a source', () => {
  let sandboxes: SandboxSources;
  let db: TestDatabase;
  const sync = (source: string, full = false) =>
    syncSource(db.dataSource, source, sandboxes.adapters.get(source)!, { full });
  const snapshot = (source: string) =>
    db.dataSource.query(
      'select source_key, demographics, household_hints, content_hash, deleted from source_record where source = $1 order by source_key',
      [source],
    );
  const openQuarantine = (source: string, code: string) =>
    db.dataSource.query(
      'select * from quarantine where source = $1 and reason_code = $2 and resolved_at is null order by id',
      [source, code],
    );

  beforeAll(async () => {
    sandboxes = await startSandboxSources({ households: 60, timeoutMs: 1000 });
    db = await createTestDatabase();
    for (const source of sandboxes.adapters.keys()) {
      const summary = await sync(source);
      if (summary.status !== 'complete') throw new Error(`first sync of ${source}: ${summary.status}`);
    }
  });
  afterAll(async () => {
    await db?.drop();
    await sandboxes?.close();
  });
  afterEach(() => {
    for (const id of ['housing', 'benefits', 'social-care']) sandboxes.fail(id, undefined);
  });

  it('quarantines a record without a key, with its reason, and syncs the rest', async () => {
    const before = await snapshot('housing');
    await sandboxes.mutate('housing', {
      op: 'upsert',
      record: { full_name: 'No Key', dob: '01/01/1990', property: {}, tenancy_role: 'Lead Tenant' },
    });
    const summary = await sync('housing');
    expect(summary.status).toBe('complete');
    expect(summary.counts.quarantined).toEqual({ 'missing-key': 1 });
    const [row] = await openQuarantine('housing', 'missing-key');
    expect(row).toMatchObject({
      scope: 'record',
      source_key: null,
      reason: 'tenant_ref: missing',
      raw: expect.objectContaining({ full_name: 'No Key' }),
    });
    expect(await snapshot('housing')).toEqual(before);
  });

  it.each([
    [
      'housing',
      'tenant_ref',
      { tenant_ref: 'T9000001', full_name: 'Bad Date', dob: '31/02/1980', property: {}, tenancy_role: 'Lead Tenant' },
      '31/02/1980',
    ],
    [
      'benefits',
      'partyId',
      {
        partyId: '48000000-01',
        claimReference: '48000000',
        partyRole: 'CLMT',
        person: { forename: 'Bad', surname: 'Date', dateOfBirth: '1980-13-01' },
      },
      '1980-13-01',
    ],
    ['social-care', 'personId', { personId: '8000001', name: 'DATE, Bad', birthDate: '12-Foo-1980' }, '12-Foo-1980'],
  ])(
    'keeps a %s record with a malformed date, without the date, and quarantines the value',
    async (source, keyField, record, bad) => {
      const key = (record as Record<string, string>)[keyField];
      await sandboxes.mutate(source, { op: 'upsert', record });
      const summary = await sync(source);
      expect(summary.status).toBe('complete');
      // (Housing's change list repeats what changed within the second it starts from: the keyless record of
      // the test before may come round once more, and is counted again.)
      expect(summary.counts.quarantined).toMatchObject({ 'malformed-date': 1 });
      const [stored] = await db.dataSource.query(
        'select demographics from source_record where source = $1 and source_key = $2',
        [source, key],
      );
      expect(stored.demographics).toMatchObject({ givenName: 'Bad', familyName: 'Date' });
      expect(stored.demographics.dateOfBirth).toBeUndefined();
      const rows = await openQuarantine(source, 'malformed-date');
      expect(rows).toEqual([
        expect.objectContaining({
          scope: 'field',
          source_key: key,
          field: 'dateOfBirth',
          raw: { dateOfBirth: bad },
          reason: expect.stringContaining(JSON.stringify(bad)),
        }),
      ]);
    },
  );

  it('keeps a record with an invalid NINO for matching without the NINO, quarantines the value, and resolves it once fixed at source', async () => {
    await sandboxes.mutate('social-care', {
      op: 'upsert',
      record: {
        personId: '8000002',
        name: 'NINO, Bad',
        birthDate: '01-Jan-1970',
        niNo: 'qq 12 34 56 e',
        nhsNo: '943 476 5919',
      },
    });
    let summary = await sync('social-care');
    expect(summary.counts.quarantined).toEqual({ 'invalid-nino': 1 });
    const [stored] = await db.dataSource.query(
      `select demographics from source_record where source = 'social-care' and source_key = '8000002'`,
    );
    expect(stored.demographics).toMatchObject({
      familyName: 'Nino',
      dateOfBirth: '1970-01-01',
      nhsNumber: '9434765919',
    });
    expect(stored.demographics.nino).toBeUndefined();
    const [issue] = await openQuarantine('social-care', 'invalid-nino');
    expect(issue).toMatchObject({
      scope: 'field',
      field: 'nino',
      source_key: '8000002',
      raw: { nino: 'qq 12 34 56 e' },
    });

    await sandboxes.mutate('social-care', { op: 'patch', key: '8000002', changes: { niNo: 'ab 12 34 56 c' } });
    summary = await sync('social-care');
    expect(summary.counts).toMatchObject({ updated: 1, quarantined: {} });
    const [fixed] = await db.dataSource.query(
      `select demographics from source_record where source = 'social-care' and source_key = '8000002'`,
    );
    expect(fixed.demographics.nino).toBe('AB123456C');
    expect(await openQuarantine('social-care', 'invalid-nino')).toEqual([]);
  });

  it('quarantines a page that is not JSON, loses nothing stored, and carries on from that page once the source recovers', async () => {
    await sandboxes.mutate('benefits', {
      op: 'patch',
      key: (await snapshot('benefits'))[0].source_key,
      changes: { partyRole: 'PTNR' },
    });
    const before = await snapshot('benefits');
    sandboxes.fail('benefits', { mode: 'garbage' });
    const failed = await sync('benefits');
    expect(failed).toMatchObject({ status: 'failed', counts: { quarantined: { 'not-json': 1 } } });
    expect(failed.error).toContain('not JSON');
    const [page] = await openQuarantine('benefits', 'not-json');
    expect(page).toMatchObject({
      scope: 'page',
      raw: expect.objectContaining({ body: expect.stringContaining('Bad Gateway') }),
    });
    expect(await snapshot('benefits')).toEqual(before);

    sandboxes.fail('benefits', undefined);
    const recovered = await sync('benefits');
    expect(recovered).toMatchObject({ status: 'complete', resumed: true, counts: { updated: 1 } });
    expect(await openQuarantine('benefits', 'not-json')).toEqual([]);
  });

  it('quarantines an HTTP 500 page mid-way through a full load, keeps the committed pages, and resumes there', async () => {
    const before = await snapshot('housing');
    sandboxes.fail('housing', { mode: '500', after: 2 });
    const failed = await sync('housing', true);
    expect(failed).toMatchObject({
      status: 'failed',
      mode: 'full',
      counts: { pages: 2, quarantined: { 'http-error': 1 }, swept: 0 },
    });
    const [page] = await openQuarantine('housing', 'http-error');
    expect(page).toMatchObject({
      scope: 'page',
      reason: expect.stringContaining('HTTP 500'),
      raw: expect.objectContaining({ status: 500 }),
    });
    const [state] = await db.dataSource.query(`select status from source_sync_state where source = 'housing'`);
    expect(state.status).toBe('failed');
    expect(await snapshot('housing')).toEqual(before);

    sandboxes.fail('housing', undefined);
    const resumed = await sync('housing');
    expect(resumed).toMatchObject({
      status: 'complete',
      mode: 'full',
      resumed: true,
      counts: { swept: 0, inserted: 0 },
    });
    expect(await snapshot('housing')).toEqual(before);
    expect(await openQuarantine('housing', 'http-error')).toEqual([]);
  });

  it('retries a passing failure without quarantining anything', async () => {
    sandboxes.fail('housing', { mode: '500', count: 1 });
    const summary = await sync('housing', true);
    expect(summary).toMatchObject({ status: 'complete', counts: { quarantined: {} } });
  });

  it('quarantines a page the source does not answer in time', async () => {
    sandboxes.fail('social-care', { mode: 'timeout' });
    const summary = await sync('social-care', true);
    expect(summary).toMatchObject({ status: 'failed', counts: { quarantined: { timeout: 1 } } });
    const [page] = await openQuarantine('social-care', 'timeout');
    expect(page.reason).toContain('no answer within 1000 ms');
  });
});
