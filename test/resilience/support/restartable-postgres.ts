import { ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface RestartablePostgres {
  /** The server's `postgres` database; the port stays the same across restarts. */
  url: string;
  /** Fast shutdown (as `pg_ctl stop -m fast`: sessions ended, open transactions rolled back). */
  stop(): Promise<void>;
  /** Immediate shutdown (as a crash: no checkpoint; the next start replays the write-ahead log). */
  crash(): Promise<void>;
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  destroy(): Promise<void>;
}

/**
 * A PostgreSQL server of the test's own, on a fixed loopback port, that the test may stop and start again
 * (the run's shared server cannot be: every other suite uses it). Its cluster is under /tmp in a directory
 * of its own: run as root, PostgreSQL runs as the `postgres` user, which must be able to reach it.
 */
export async function startRestartablePostgres(): Promise<RestartablePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-resilience-pg-'));
  if (userInfo().uid === 0) await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(18).toString('base64url');
  const controller = fork(join(__dirname, 'postgres-controller.cjs'), [], {
    env: { PATH: process.env.PATH, PG_DIR: join(dir, 'pg'), PG_PORT: String(port), PG_PASSWORD: password },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const send = command(controller);
  let running = false;
  try {
    await send('initialise', 120_000);
    await send('start', 60_000);
    running = true;
  } catch (error) {
    controller.disconnect();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://hub:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (!running) return;
      await send('stop', 60_000);
      running = false;
    },
    async crash() {
      if (!running) return;
      await send('crash', 60_000);
      running = false;
    },
    async start() {
      if (running) return;
      await send('start', 60_000);
      running = true;
    },
    async destroy() {
      if (running) await send('stop', 60_000).catch(() => undefined);
      running = false;
      if (controller.connected) controller.disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function command(controller: ChildProcess): (name: string, timeoutMs: number) => Promise<void> {
  let next = 0;
  return (name, timeoutMs) =>
    new Promise<void>((resolve, reject) => {
      const id = ++next;
      const timer = setTimeout(() => done(new Error(`PostgreSQL ${name} took over ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { id: number; ok: boolean; error?: string }) => {
        if (message.id === id) done(message.ok ? undefined : new Error(`PostgreSQL ${name} failed: ${message.error}`));
      };
      const onExit = () => done(new Error(`the PostgreSQL controller exited during ${name}`));
      function done(error?: Error) {
        clearTimeout(timer);
        controller.off('message', onMessage);
        controller.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      }
      controller.on('message', onMessage);
      controller.on('exit', onExit);
      controller.send({ id, command: name });
    });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port')),
      );
    });
  });
}
