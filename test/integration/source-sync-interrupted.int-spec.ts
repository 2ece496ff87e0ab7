import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { syncSource } from '../../src/sources/sync/source-sync';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const root = join(__dirname, '..', '..');

async function contentRows(db: TestDatabase) {
  return db.dataSource.query(
    `select source, source_key, demographics, household_hints, content_hash, deleted, deleted_at is null as not_deleted_at, match_status
       from source_record order by source, source_key`,
  );
}

// Jest ignores testTimeout inside `projects`; these suites start servers and sync real pages.
jest.setTimeout(60_000);

describe('a sync stopped mid-way', () => {
  let sandboxes: SandboxSources;
  let reference: TestDatabase;

  beforeAll(async () => {
    sandboxes = await startSandboxSources({ households: 150 });
    // The rows an uninterrupted sync gives, to compare against.
    reference = await createTestDatabase();
    for (const [source, adapter] of sandboxes.adapters) {
      const summary = await syncSource(reference.dataSource, source, adapter);
      if (summary.status !== 'complete') throw new Error(`reference sync of ${source}: ${summary.status}`);
    }
  });
  afterAll(async () => {
    await reference?.drop();
    await sandboxes?.close();
  });

  it.each(['housing', 'benefits', 'social-care'])(
    'resumes %s from the last committed cursor and ends with the same rows as an uninterrupted sync',
    async (source) => {
      const db = await createTestDatabase();
      try {
        const adapter = sandboxes.adapters.get(source)!;
        const crash = new Error('process died');
        await expect(
          syncSource(db.dataSource, source, adapter, {
            afterPageCommitted: (pages) => {
              if (pages === 2) throw crash;
            },
          }),
        ).rejects.toBe(crash);
        const [state] = await db.dataSource.query(
          'select status, mode, run_id from source_sync_state where source = $1',
          [source],
        );
        expect(state).toMatchObject({ status: 'running', mode: 'full' });
        const [{ count: committed }] = await db.dataSource.query('select count(*)::int from source_record');
        expect(committed).toBeGreaterThan(0);

        const resumed = await syncSource(db.dataSource, source, adapter);
        expect(resumed).toMatchObject({ status: 'complete', mode: 'full', resumed: true, runId: String(state.run_id) });
        // Only what was not yet committed is inserted: nothing is read twice into the table.
        expect(resumed.counts.inserted + committed).toBe(
          (await contentRows(reference)).filter((r: { source: string }) => r.source === source).length,
        );
        const [{ runs }] = await db.dataSource.query(
          'select count(*)::int as runs from source_sync_run where source = $1',
          [source],
        );
        expect(runs).toBe(1);
        expect(await contentRows(db)).toEqual(
          (await contentRows(reference)).filter((r: { source: string }) => r.source === source),
        );
      } finally {
        await db.drop();
      }
    },
  );

  it('survives the sync process being killed (SIGKILL) part-way through a page, then gives the same rows', async () => {
    const db = await createTestDatabase();
    const housing = sandboxes.sandbox('housing');
    housing.setLatency(120);
    try {
      const child = spawn(
        process.execPath,
        ['-r', join(root, 'test', 'support', 'swc-register.cjs'), join(root, 'test', 'support', 'sync-child.ts')],
        {
          cwd: root,
          env: {
            ...process.env,
            SYNC_CHILD_DATABASE_URL: db.url,
            SYNC_CHILD_CONNECTION: JSON.stringify(sandboxes.connection('housing')),
            SYNC_CHILD_FULL: 'true',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
        child.on('exit', (code, signal) => resolve(signal ?? code)),
      );
      // Kill it once three pages are committed, while it waits on the fourth.
      await new Promise<void>((resolve, reject) => {
        let pages = 0;
        child.stdout.on('data', (chunk: Buffer) => {
          pages += (chunk.toString().match(/^page /gm) ?? []).length;
          if (pages >= 3) resolve();
        });
        void exited.then(() => reject(new Error(`child ended before being killed: ${stderr}`)));
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const [{ count: committed }] = await db.dataSource.query('select count(*)::int from source_record');
      expect(committed).toBeGreaterThanOrEqual(30);
      housing.setLatency(0);
      const resumed = await syncSource(db.dataSource, 'housing', sandboxes.adapters.get('housing')!);
      expect(resumed).toMatchObject({ status: 'complete', resumed: true });
      const expected = (await contentRows(reference)).filter((r: { source: string }) => r.source === 'housing');
      expect(await contentRows(db)).toEqual(expected);
    } finally {
      housing.setLatency(0);
      await db.drop();
    }
  });
});
