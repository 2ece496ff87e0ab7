import { ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SandboxSources } from './sandbox-sources';

const root = join(__dirname, '..', '..');

/** The built hub (`npm run build`) running as a child process, as production runs it. */
export interface HubProcess {
  /** `http://127.0.0.1:<port>`, once started. */
  url: string;
  /** Its process id (for a test that kills it). */
  pid: number;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** Its JSON log lines so far (lines that are not JSON, such as the banner, are left out). */
  logLines(): { msg?: string; context?: string; level?: number }[];
  /** SIGTERM, then its exit code (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | null>;
}

/**
 * Starts `node dist/src/main.js` with `env` (and PATH) and waits for its banner. A hub that exits or stays
 * silent for `timeoutMs` fails the start with its output.
 */
export async function startHubProcess(env: NodeJS.ProcessEnv, timeoutMs = 90_000): Promise<HubProcess> {
  const child: ChildProcess = spawn(process.execPath, [join(root, 'dist', 'src', 'main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));

  const banner = /GraphQL: (http:\/\/\S+)\/graphql/;
  const deadline = Date.now() + timeoutMs;
  while (!banner.test(output)) {
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the hub did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = banner.exec(output)![1].replace('localhost', '127.0.0.1');
  return {
    url,
    pid: child.pid!,
    output: () => output,
    logLines: () =>
      output.split('\n').flatMap((line) => {
        try {
          return line.startsWith('{') ? [JSON.parse(line) as { msg?: string }] : [];
        } catch {
          return [];
        }
      }),
    stop: async (graceMs = 20_000) => {
      if (done) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `npm run --silent cli -- <args>` of the built hub, with `env` (and PATH). */
export function runBuiltCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'dist', 'src', 'cli', 'main.js'), ...args],
      { cwd: root, timeout: timeoutMs, env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A SOURCES_CONFIG file (`<sources.dir>/sources.json`) pointing a hub at the running sandboxes, with their credentials. */
export async function sourcesConfigFile(sources: SandboxSources): Promise<string> {
  const auth = (id: string) => {
    const headers = sources.connection(id).authHeaders;
    if (headers['x-api-key']) return { type: 'api-key', header: 'x-api-key', key: headers['x-api-key'] };
    const [scheme, value] = headers.authorization.split(' ');
    if (scheme === 'Basic') {
      const [username, password] = Buffer.from(value, 'base64').toString().split(':');
      return { type: 'basic', username, password };
    }
    return { type: 'bearer', token: value };
  };
  const file = join(sources.dir, 'sources.json');
  const entries = sources.launched.connections.map((c) => [
    c.id,
    {
      baseUrl: c.baseUrl,
      auth: auth(c.id),
      timeoutMs: 2000,
      retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 20 },
    },
  ]);
  await writeFile(file, JSON.stringify({ sources: Object.fromEntries(entries) }));
  return file;
}
