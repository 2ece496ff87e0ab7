import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type { Pool } from 'pg';

/** At most how often one session's expiry is pushed back in the store by activity alone. */
export const TOUCH_EVERY_MS = 60_000;
/** Sessions whose last push this instance remembers (the oldest forgotten first; forgetting one costs a write). */
const REMEMBERED = 10_000;

type Callback = (error?: unknown) => void;

/**
 * The console's sessions in PostgreSQL (`console_session`, connect-pg-simple), shared by every hub instance.
 * The idle timeout is the row's expiry, pushed back on each request (express-session's `touch`, with a
 * rolling cookie). Here a push is skipped while this instance pushed the same session back less than
 * `TOUCH_EVERY_MS` ago: a page no longer waits for a write, and the timeout can only come sooner (a session
 * idle for `idle` ends between `idle - TOUCH_EVERY_MS` and `idle` after its last request), never later.
 * A save (the session changed) always writes, with its expiry.
 */
export function consoleSessionStore(
  pool: Pool,
  options: { pruneSeconds?: number; now?: () => number } = {},
): session.Store {
  const PgStore = connectPgSimple(session);
  const now = options.now ?? Date.now;
  const pushed = new Map<string, number>();
  const remember = (sid: string, at: number) => {
    pushed.delete(sid);
    pushed.set(sid, at);
    if (pushed.size > REMEMBERED) pushed.delete(pushed.keys().next().value!);
  };

  class ThrottledPgStore extends PgStore {
    override touch(sid: string, sess: session.SessionData, fn?: Callback): void {
      const at = now();
      const last = pushed.get(sid);
      if (last !== undefined && at - last < TOUCH_EVERY_MS) return fn?.();
      super.touch(sid, sess, (error?: unknown) => {
        if (!error) remember(sid, at);
        fn?.(error);
      });
    }

    override set(sid: string, sess: session.SessionData, fn?: Callback): void {
      const at = now();
      super.set(sid, sess, (error?: unknown) => {
        if (!error) remember(sid, at);
        fn?.(error);
      });
    }

    override destroy(sid: string, fn?: Callback): void {
      pushed.delete(sid);
      super.destroy(sid, fn);
    }
  }

  return new ThrottledPgStore({
    pool,
    tableName: 'console_session',
    createTableIfMissing: false,
    pruneSessionInterval: options.pruneSeconds ?? 15 * 60,
    errorLog: () => undefined,
  });
}
