/** One request of a load loop: what was asked, what came back, and when. */
export interface LoadResult<T> {
  client: number;
  request: T;
  status: number;
  body: unknown;
  startedAt: number;
  ms: number;
}

export interface LoadLoop<T> {
  results: LoadResult<T>[];
  /** Resolves once `count` results satisfy `test` (counted from now), or rejects after `timeoutMs`. */
  waitFor(test: (result: LoadResult<T>) => boolean, count: number, timeoutMs: number): Promise<void>;
  /** Resolves once every client has reached the time or count bound. */
  done(): Promise<LoadResult<T>[]>;
  stop(): Promise<LoadResult<T>[]>;
}

/**
 * `clients` loops, each sending one request after another until stopped, bounded in time (`maxMs`) and in
 * count (`maxRequests` in all), whatever the test does meanwhile. Loopback only: `send` is given the
 * client's number and its next request and talks to an in-process server.
 */
export function startLoad<T>(options: {
  clients: number;
  maxMs: number;
  maxRequests: number;
  next: (client: number, i: number) => T;
  send: (request: T) => Promise<{ status: number; body: unknown }>;
}): LoadLoop<T> {
  const results: LoadResult<T>[] = [];
  const began = Date.now();
  const state = { stopped: false };
  let sent = 0;
  const waiters = new Set<() => void>();
  const loops = Array.from({ length: options.clients }, async (_unused, client) => {
    for (let i = 0; !state.stopped && Date.now() - began < options.maxMs && sent < options.maxRequests; i++) {
      sent++;
      const request = options.next(client, i);
      const startedAt = Date.now();
      const { status, body } = await options.send(request);
      results.push({ client, request, status, body, startedAt, ms: Date.now() - startedAt });
      for (const wake of waiters) wake();
    }
  });
  return {
    results,
    waitFor(test, count, timeoutMs) {
      const from = results.length;
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if (results.slice(from).filter(test).length < count) return;
          finish();
          resolve();
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(
              `the load did not reach ${count} such results within ${timeoutMs} ms (${results.length - from} results)`,
            ),
          );
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async done() {
      await Promise.all(loops);
      return results;
    },
    async stop() {
      state.stopped = true;
      await Promise.all(loops);
      return results;
    },
  };
}
