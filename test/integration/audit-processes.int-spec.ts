import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { auditServices, AuditServices } from '../support/audit-fixtures';
import { createTestDatabase, TestDatabase } from '../support/test-database';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');

/** One writer process (bench/audit-writer.ts, the real AuditService) on the suite's database. */
async function writerProcess(
  url: string,
  events: number,
  barrier: number,
): Promise<{ events: number; firstSeq: number; lastSeq: number }> {
  const { stdout } = await run(
    process.execPath,
    [
      '-r',
      join(root, 'test', 'support', 'swc-register.cjs'),
      join(root, 'bench', 'audit-writer.ts'),
      '--url',
      url,
      '--events',
      String(events),
      '--concurrency',
      '12',
      '--barrier',
      String(barrier),
    ],
    { cwd: root, timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

describe('audit chain with two hub processes on one database', () => {
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

  it('keeps one valid chain with no gap, no fork and every event', async () => {
    const perProcess = 1500;
    const barrier = 4242;
    const gate = new Client({ connectionString: db.url });
    await gate.connect();
    await gate.query('select pg_advisory_lock($1)', [barrier]);
    const writers = Promise.all([
      writerProcess(db.url, perProcess, barrier),
      writerProcess(db.url, perProcess, barrier),
    ]);
    // Both processes are started and waiting at the line; then they are let go together.
    for (let waiting = 0; waiting < 2;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const [row] = (
        await gate.query(
          `select count(*)::int as n from pg_locks where locktype = 'advisory' and objid = $1 and not granted`,
          [barrier],
        )
      ).rows;
      waiting = row.n;
    }
    await gate.query('select pg_advisory_unlock($1)', [barrier]);
    await gate.end();
    const [a, b] = await writers;
    expect(a.events + b.events).toBe(2 * perProcess);
    // Interleaved, not one after the other: both processes really appended at the same time.
    expect(Math.max(a.firstSeq, b.firstSeq)).toBeLessThan(Math.min(a.lastSeq, b.lastSeq));

    const [{ count, min, max, distinct }] = await db.dataSource.query(
      'select count(*)::int as count, min(seq)::int as min, max(seq)::int as max, count(distinct seq)::int as distinct from audit_event',
    );
    expect({ count, min, max, distinct }).toEqual({ count: 3000, min: 1, max: 3000, distinct: 3000 });
    const [{ forks }] = await db.dataSource.query(
      'select count(*)::int - count(distinct prev_hash)::int as forks from audit_event',
    );
    expect(forks).toBe(0);
    expect(await s.verifier.verify()).toEqual(
      expect.objectContaining({ valid: true, checkedEvents: 3000, firstBrokenSeq: null }),
    );
  });
});
