import type { SessionData, Store } from 'express-session';
import { Pool } from 'pg';
import { consoleSessionStore, TOUCH_EVERY_MS } from '../../src/console/session-store';
import { createTestDatabase, TestDatabase } from '../support/test-database';

jest.setTimeout(60_000);

const IDLE_MS = 30 * 60_000;

/**
 * The console's session store on a real PostgreSQL: activity pushes a session's expiry back at most once a
 * minute per instance, so a page seldom waits for a write, and the idle timeout can only come sooner than
 * configured, never later.
 */
describe('console session store (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let clock: number;
  let store: Store;

  const promised = <T>(call: (done: (error?: unknown, value?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value as T))));
  const session = (expiresAt: number): SessionData =>
    ({ cookie: { expires: new Date(expiresAt), originalMaxAge: IDLE_MS }, purpose: 'EARLY_HELP' }) as SessionData;
  const expiryOf = async (sid: string): Promise<number | undefined> => {
    const { rows } = await pool.query('select expire from console_session where sid = $1', [sid]);
    return rows[0] ? new Date(rows[0].expire).getTime() : undefined;
  };
  const touch = (sid: string, at: number) => {
    clock = at;
    return promised<void>((done) => store.touch!(sid, session(at + IDLE_MS), done));
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });
  beforeEach(() => {
    clock = Date.UTC(2030, 0, 1, 9, 0, 0);
    store = consoleSessionStore(pool, { now: () => clock });
  });

  it('writes the expiry on save, skips pushes within a minute of the last, and writes the next after it', async () => {
    const start = clock;
    await promised<void>((done) => store.set('s-1', session(start + IDLE_MS), done));
    expect(await expiryOf('s-1')).toBe(start + IDLE_MS);

    await touch('s-1', start + 10_000);
    await touch('s-1', start + TOUCH_EVERY_MS - 1);
    // Not pushed: the row still ends where the save put it, a minute or less before the true idle end.
    expect(await expiryOf('s-1')).toBe(start + IDLE_MS);

    await touch('s-1', start + TOUCH_EVERY_MS);
    expect(await expiryOf('s-1')).toBe(start + TOUCH_EVERY_MS + IDLE_MS);
    await touch('s-1', start + TOUCH_EVERY_MS + 5_000);
    expect(await expiryOf('s-1')).toBe(start + TOUCH_EVERY_MS + IDLE_MS);
  });

  it('ends an idle session no later than the idle timeout after its last request', async () => {
    const start = clock;
    await promised<void>((done) => store.set('s-2', session(start + IDLE_MS), done));
    // A request every 20 seconds for five minutes, then nothing.
    let last = start;
    for (let at = start + 20_000; at <= start + 5 * 60_000; at += 20_000) {
      await touch('s-2', at);
      last = at;
    }
    const expiry = (await expiryOf('s-2'))!;
    expect(expiry).toBeLessThanOrEqual(last + IDLE_MS);
    expect(expiry).toBeGreaterThan(last + IDLE_MS - TOUCH_EVERY_MS);
    // The store reads by its own clock (PostgreSQL's now()): a row past its expiry is not returned.
    await pool.query(`update console_session set expire = now() - interval '1 second' where sid = 's-2'`);
    expect(await promised<SessionData | null>((done) => store.get('s-2', done))).toBeFalsy();
  });

  it('forgets a destroyed session, so one saved again under the same id is written and pushed afresh', async () => {
    const start = clock;
    await promised<void>((done) => store.set('s-3', session(start + IDLE_MS), done));
    await promised<void>((done) => store.destroy('s-3', done));
    expect(await expiryOf('s-3')).toBeUndefined();
    // A touch for a destroyed session writes nothing back: the row is gone.
    await touch('s-3', start + 1_000);
    expect(await expiryOf('s-3')).toBeUndefined();
    await promised<void>((done) => store.set('s-3', session(start + 2_000 + IDLE_MS), done));
    expect(await expiryOf('s-3')).toBe(start + 2_000 + IDLE_MS);
  });

  it('pushes each session on its own: one session pushed does not hold back another', async () => {
    const start = clock;
    await promised<void>((done) => store.set('a', session(start + IDLE_MS), done));
    await promised<void>((done) => store.set('b', session(start - 5 * 60_000 + IDLE_MS), done));
    await touch('a', start + 1_000);
    expect(await expiryOf('a')).toBe(start + IDLE_MS);
    // 'b' was saved by this instance too, at `start`: pushed once its own minute has passed.
    await touch('b', start + TOUCH_EVERY_MS);
    expect(await expiryOf('b')).toBe(start + TOUCH_EVERY_MS + IDLE_MS);
  });
});
