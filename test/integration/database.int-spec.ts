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
});
