import { Logger } from '@nestjs/common';
import { preparedQuery } from '../../src/database/prepared-query';
import { createTestDatabase, TestDatabase } from '../support/test-database';

describe('database migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('enables the fuzzy-matching extensions', async () => {
    const rows: { extname: string }[] = await db.dataSource.query(
      `select extname from pg_extension where extname in ('pg_trgm', 'fuzzystrmatch') order by extname`,
    );
    expect(rows.map((r) => r.extname)).toEqual(['fuzzystrmatch', 'pg_trgm']);
    const [{ similarity, code }] = await db.dataSource.query(
      `select similarity('robert', 'rupert') as similarity, dmetaphone('Smyth') as code`,
    );
    expect(similarity).toBeGreaterThan(0);
    expect(code).toBe('SM0');
  });

  it('records every migration once and has nothing pending', async () => {
    expect(await db.dataSource.showMigrations()).toBe(false);
    const applied: unknown[] = await db.dataSource.query('select * from schema_migration');
    expect(applied.length).toBe(db.dataSource.migrations.length);
  });

  it('runs hot-path reads as named prepared statements, each planned once per connection', async () => {
    const text = 'select $1::int + 1 as next, $2::text as label /* prepared-query test */';
    expect(await preparedQuery(db.dataSource, text, [1, 'a'])).toEqual([{ next: 2, label: 'a' }]);
    expect(await preparedQuery(db.dataSource, text, [41, 'b'])).toEqual([{ next: 42, label: 'b' }]);
    const prepared: { name: string }[] = await db.dataSource.query(
      `select name from pg_prepared_statements where statement like '%prepared-query test%'`,
    );
    // pg_prepared_statements shows only this session's; the pool's other connections may hold it too.
    expect(prepared.every((p) => p.name.startsWith('hub_'))).toBe(true);
  });

  it('logs a failed prepared read with its statement and never its values, and rethrows', async () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      await expect(preparedQuery(db.dataSource, 'select $1::uuid as id', ['AB123456C'])).rejects.toThrow(/uuid/);
      const logged = error.mock.calls.map((call) => String(call[0])).join('\n');
      expect(logged).toContain('select $1::uuid as id');
      expect(logged).not.toContain('AB123456C');
    } finally {
      error.mockRestore();
    }
  });
});
