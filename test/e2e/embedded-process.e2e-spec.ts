import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const main = join(root, 'dist', 'src', 'main.js');

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  done: () => boolean;
}

function startHub(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      resolve(code);
    }),
  );
  return { child, output: () => output, exited, done: () => done };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the hub as a process', () => {
  it('starts on the embedded PostgreSQL with no DATABASE_URL, serves HTTP, and Ctrl-C stops both', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-e2e-'));
    const hub = startHub({ HUB_DATA_DIR: dataDir, PORT: '0' });
    try {
      await waitFor(() => hub.done() || /GraphQL: (http:\/\/\S+)\/graphql/.test(hub.output()), 90_000);
      if (hub.done()) throw new Error('exited');
    } catch {
      hub.child.kill('SIGKILL');
      throw new Error(`hub did not start:\n${hub.output()}`);
    }
    const base = /GraphQL: (http:\/\/\S+)\/graphql/.exec(hub.output())![1];
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(200);
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ hubInfo { database } }' }),
    });
    expect(await res.json()).toEqual({ data: { hubInfo: { database: 'embedded' } } });

    const postmasterPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    hub.child.kill('SIGINT');
    expect(await hub.exited).toBe(0);
    // PostgreSQL removes its pid file on a clean shutdown, and its process is gone.
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(() => process.kill(postmasterPid, 0)).toThrow();
  }, 120_000);

  it('exits non-zero with one line naming DATABASE_URL when the database is unreachable', async () => {
    const hub = startHub({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' });
    expect(await hub.exited).not.toBe(0);
    const lines = hub.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/DATABASE_URL/);
    expect(lines[0]).not.toMatch(/^\s+at /);
  }, 30_000);

  it('exits non-zero with one line naming a bad variable', async () => {
    const hub = startHub({ PORT: 'eighty' });
    expect(await hub.exited).not.toBe(0);
    expect(hub.output().trim()).toMatch(/^Invalid configuration: PORT [^\n]+$/);
  }, 30_000);
});
