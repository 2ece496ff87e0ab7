import { ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../../src/app.module';
import { loadConfig } from '../../../src/hub-config';
import { DatabaseRuntime } from '../../../src/database/database-runtime';
import { AfterSync } from '../../../src/sources/sync/after-sync';
import { IdentitySyncService } from '../../../src/sources/sync/identity-sync.service';
import type { SandboxSources } from '../../support/sandbox-sources';

const root = join(__dirname, '..', '..', '..');

export interface CliChild {
  child: ChildProcess;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals>;
  hasExited(): boolean;
  output(): string;
}

/**
 * `npm run cli -- <args>` as its own process, run from the TypeScript sources (the swc transform Jest uses),
 * so that a test can kill it: the code it runs is the code under test, whether dist/ is built or not.
 */
export function startCli(args: string[], env: NodeJS.ProcessEnv): CliChild {
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'test', 'support', 'swc-register.cjs'), join(root, 'src', 'cli', 'main.ts'), ...args],
    {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let done = false;
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve(signal ?? code ?? 1);
    }),
  );
  return { child, exited, hasExited: () => done, output: () => output };
}

/** Runs the CLI to the end (killed after `timeoutMs`); throws unless it exits 0. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<string> {
  const cli = startCli(args, env);
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), timeoutMs);
  const result = await cli.exited;
  clearTimeout(timer);
  if (result !== 0) throw new Error(`cli ${args.join(' ')} ended with ${result}:\n${cli.output()}`);
  return cli.output();
}

/** A SOURCES_CONFIG file (`<sources.dir>/resilience-sources.json`) pointing the CLI at the running sandboxes. */
export async function sourcesConfigFile(sources: SandboxSources, pageSize: number): Promise<string> {
  const auth = (headers: Record<string, string>) => {
    if (headers['x-api-key']) return { type: 'api-key', header: 'x-api-key', key: headers['x-api-key'] };
    const [scheme, value] = headers.authorization.split(' ');
    if (scheme === 'Basic') {
      const [username, password] = Buffer.from(value, 'base64').toString().split(':');
      return { type: 'basic', username, password };
    }
    return { type: 'bearer', token: value };
  };
  const entries = sources.launched.connections.map((c) => [
    c.id,
    {
      baseUrl: c.baseUrl,
      auth: auth(c.authHeaders),
      pageSize,
      timeoutMs: 10_000,
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 50 },
    },
  ]);
  const file = join(sources.dir, 'resilience-sources.json');
  await writeFile(file, JSON.stringify({ sources: Object.fromEntries(entries) }));
  return file;
}

/**
 * What `cli sync --source <id>` does, for each source in turn, in this process (one application context,
 * as the CLI builds it: no background work), where a process start per command would only cost time.
 * Training a model is much slower here than in a process of its own (Jest's module sandbox): leave that to
 * a CLI run.
 */
export async function syncInProcess(env: NodeJS.ProcessEnv, sourceIds: readonly string[]): Promise<void> {
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const runtime = await DatabaseRuntime.open(config);
  try {
    const app = await NestFactory.createApplicationContext(
      AppModule.forRoot({ ...config, sources: { ...config.sources, background: false } }, runtime),
      { logger: false },
    );
    try {
      for (const source of sourceIds) {
        const synced = await app.get(IdentitySyncService).sync({ source });
        if (synced.some((s) => s.status !== 'complete'))
          throw new Error(`sync of ${source}: ${JSON.stringify(synced)}`);
        await app.get(AfterSync).run(synced);
      }
    } finally {
      await app.close();
    }
  } finally {
    await runtime.close();
  }
}
