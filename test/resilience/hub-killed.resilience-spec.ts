import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SandboxSources, startSandboxSources } from '../support/sandbox-sources';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { CliChild, runCli, sourcesConfigFile, startCli, syncInProcess } from './support/cli-child';
import { duplicates, indexSnapshot, IndexSnapshot } from './support/index-snapshot';

/**
 * The hub's CLI killed with SIGKILL in the middle of a sync, and in the middle of a matching batch (its
 * transaction open, half its writes done), on a borough of a few thousand records: run again, it resumes
 * where it was and ends with exactly what an uninterrupted run on the same data has: the same records,
 * persons, links, reviews and households, nothing twice. (test/integration/source-sync-interrupted.int-spec.ts
 * kills a bare sync of one source; this kills the real command, with matching and households after it.)
 *
 * Both runs sync one source at a time, as `cli sync --source` does, and match with the one model the
 * reference run trained, so the order records are matched in and the model they are matched with are the
 * same: what could differ is only what the kills did. Housing goes first, through the CLI; benefits and
 * social care follow in this process (one application context for both, as the CLI's would be).
 */

jest.setTimeout(600_000);

const HOUSEHOLDS = 1500;
const PAGE_SIZE = 50;
/** Matching takes pending records in batches of this many (IdentityIndexService). */
const MATCH_BATCH = 1000;
const NO_DUPLICATES = {
  recordKeysTwice: 0,
  recordsLinkedTwice: 0,
  recordsUnlinked: 0,
  activePersonsWithoutRecords: 0,
  personsInTwoHouseholds: 0,
  reviewPairsTwice: 0,
};

describe('the hub killed (SIGKILL) during sync and during matching', () => {
  let sources: SandboxSources;
  let reference: TestDatabase;
  let expected: IndexSnapshot;
  let env: (db: TestDatabase) => NodeJS.ProcessEnv;
  let dataDir: string;

  beforeAll(async () => {
    sources = await startSandboxSources({ households: HOUSEHOLDS, seed: 'hub-killed', pageSize: PAGE_SIZE });
    const config = await sourcesConfigFile(sources, PAGE_SIZE);
    dataDir = mkdtempSync(join(tmpdir(), 'hub-killed-'));
    env = (db) => ({
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      HUB_DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      SOURCES_CONFIG: config,
    });
    reference = await createTestDatabase();
    await runCli(['sync', '--source', 'housing'], env(reference));
    await syncInProcess(env(reference), ['benefits', 'social-care']);
    expected = await indexSnapshot(reference.dataSource);
  });
  afterAll(async () => {
    await reference?.drop();
    await sources?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const count = async (db: TestDatabase, sql: string, params: unknown[] = []): Promise<number> =>
    Number((await db.dataSource.query(sql, params))[0].n);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Polls until `condition` holds, then SIGKILLs the child; fails if the child ended first or it takes too long. */
  const killWhen = async (
    db: TestDatabase,
    cli: CliChild,
    condition: () => Promise<boolean>,
    what: string,
    timeoutMs = 120_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (cli.hasExited()) throw new Error(`the CLI ended before ${what}:\n${cli.output()}`);
      if (Date.now() > deadline) {
        cli.child.kill('SIGKILL');
        throw new Error(
          `${what} did not happen within ${timeoutMs} ms:\n${cli.output()}\n${JSON.stringify(await progress(db))}`,
        );
      }
      await sleep(25);
    }
    cli.child.kill('SIGKILL');
    expect(await cli.exited).toBe('SIGKILL');
  };

  /** Where a run is, for a failure message: records by status, sync state, what the other sessions wait on. */
  const progress = async (db: TestDatabase) => ({
    records: await db.dataSource.query(`select match_status, count(*)::int from source_record group by 1`),
    sync: await db.dataSource.query(`select source, status from source_sync_state`),
    waiting: await db.dataSource.query(
      `select state, wait_event_type, wait_event, left(query, 120) as query from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    ),
  });

  const sessions = (db: TestDatabase, where = 'true') =>
    count(
      db,
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and ${where}`,
    );

  /** The killed process's sessions end once the server sees its sockets closed; the next run starts after. */
  const sessionsGone = async (db: TestDatabase) => {
    for (let i = 0; i < 400 && (await sessions(db)) > 0; i++) await sleep(50);
    expect(await sessions(db)).toBe(0);
  };

  it('is consistent without a kill (the reference run)', async () => {
    expect(await duplicates(reference.dataSource)).toEqual(NO_DUPLICATES);
    expect(expected.records.length).toBeGreaterThan(2500);
    expect(expected.records.filter((r) => r.source === 'housing').length).toBeGreaterThan(MATCH_BATCH + 200);
    expect(expected.records.every((r) => r.match_status === 'matched')).toBe(true);
    expect(expected.households.length).toBeGreaterThan(HOUSEHOLDS / 2);
    expect(expected.syncRuns).toEqual(
      ['benefits', 'housing', 'social-care'].map((source) => ({ source, status: 'complete', runs: 1 })),
    );
  });

  it('resumes after a kill mid-sync and another mid-batch of matching, and ends as the uninterrupted run did', async () => {
    const db = await createTestDatabase();
    const holder = db.dataSource.createQueryRunner();
    try {
      // The reference run's model, so that this run matches with the same one (training is not what is tested).
      const [model] = await reference.dataSource.query(
        'select trained_on, model from matching_model order by id desc limit 1',
      );
      await db.dataSource.query('insert into matching_model (trained_on, model) values ($1, $2)', [
        model.trained_on,
        model.model,
      ]);
      const housingTotal = expected.records.filter((r) => r.source === 'housing').length;

      // 1. Killed mid-sync, past the first matching batch's worth of records, between or within pages.
      const housing = sources.sandbox('housing');
      housing.setLatency(40);
      let syncedAtKill: number;
      try {
        const first = startCli(['sync', '--source', 'housing'], env(db));
        await killWhen(
          db,
          first,
          async () => (await count(db, `select count(*)::int as n from source_record`)) >= MATCH_BATCH + 2 * PAGE_SIZE,
          'a first batch of housing records was synced',
        );
        syncedAtKill = await count(db, `select count(*)::int as n from source_record`);
      } finally {
        housing.setLatency(0);
      }
      expect(syncedAtKill).toBeLessThan(housingTotal);
      expect(await db.dataSource.query(`select status from source_sync_state where source = 'housing'`)).toEqual([
        { status: 'running' },
      ]);
      expect(await count(db, `select count(*)::int as n from person`)).toBe(0);
      await sessionsGone(db);

      // 2. Run again: the sync resumes from its last committed page, then matching commits a first batch and
      // stops on the second, inside its transaction, where it meets a record this test holds locked. Killed there.
      await holder.connect();
      await holder.startTransaction();
      const [{ id: held }] = await db.dataSource.query(
        `select id from source_record order by change_seq offset $1 limit 1`,
        [MATCH_BATCH + PAGE_SIZE],
      );
      await holder.query(`select id from source_record where id = $1 for update`, [held]);
      const second = startCli(['sync', '--source', 'housing'], env(db));
      await killWhen(
        db,
        second,
        async () =>
          (await count(db, `select count(*)::int as n from source_record where match_status = 'matched'`)) >=
            MATCH_BATCH && (await sessions(db, `wait_event_type = 'Lock'`)) > 0,
        'matching committed a batch and is stopped inside the next',
      );
      await holder.rollbackTransaction();
      await holder.release();
      await sessionsGone(db);
      const pendingAtKill = await count(
        db,
        `select count(*)::int as n from source_record where match_status = 'pending'`,
      );
      expect(pendingAtKill).toBe(housingTotal - MATCH_BATCH);
      // The batch that committed is the first in change order; the one killed left nothing behind.
      expect(
        await count(
          db,
          `select count(*)::int as n from (select match_status from source_record order by change_seq limit $1) t where match_status = 'matched'`,
          [MATCH_BATCH],
        ),
      ).toBe(MATCH_BATCH);
      expect(
        await count(
          db,
          `select count(*)::int as n from match_block_key k join source_record r on r.id = k.source_record_id where r.match_status = 'pending'`,
        ),
      ).toBe(0);
      expect(await db.dataSource.query(`select status from source_sync_state where source = 'housing'`)).toEqual([
        { status: 'idle' },
      ]);

      // 3. The operator runs matching again; then the other sources sync as they would have.
      const matched = JSON.parse((await runCli(['match'], env(db))).trim().split('\n').at(-1)!);
      expect(matched.matched.processed).toBe(pendingAtKill);
      await syncInProcess(env(db), ['benefits', 'social-care']);

      expect(await duplicates(db.dataSource)).toEqual(NO_DUPLICATES);
      const actual = await indexSnapshot(db.dataSource);
      // Part by part, so that a difference says where it is.
      expect(actual.records).toEqual(expected.records);
      expect(actual.links).toBe(expected.links);
      expect(actual.personsByStatus).toEqual(expected.personsByStatus);
      expect(actual.persons).toEqual(expected.persons);
      expect(actual.reviews).toEqual(expected.reviews);
      expect(actual.households).toEqual(expected.households);
      expect(actual.memberships).toBe(expected.memberships);
      // One housing run, resumed rather than started again.
      expect(actual.syncRuns).toEqual(expected.syncRuns);
      process.stdout.write(
        `hub killed: ${expected.records.length} records; killed with ${syncedAtKill} of ${housingTotal} housing records synced, then inside a matching batch with ${pendingAtKill} to match; ` +
          `${actual.persons.length} persons, ${actual.households.length} households, ${actual.reviews.length} reviews, as the uninterrupted run\n`,
      );
    } finally {
      if (!holder.isReleased) await holder.release();
      await db.drop();
    }
  });
});
