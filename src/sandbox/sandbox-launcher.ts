import { randomBytes } from 'node:crypto';
import { defaultRetry, SourceConnection } from '../sources/sources-config';
import { sandboxDataFile } from './borough-files';
import { FailurePlan, RunningSandbox, SandboxDefinition } from './sandbox-kit';

export interface LaunchOptions {
  /** Directory holding each sandbox's storage file (see borough-files.ts). */
  dir: string;
  host?: string;
  latencyMs?: number;
  failure?: FailurePlan;
  /** Hub-side settings for the connections made to the sandboxes. */
  pageSize?: number;
  timeoutMs?: number;
  retry?: SourceConnection['retry'];
}

export interface LaunchedSandboxes {
  sandboxes: RunningSandbox[];
  /** One connection per sandbox, as a sources configuration file would give them. */
  connections: SourceConnection[];
  close(): Promise<void>;
}

/**
 * Starts sandbox source systems in this process on free loopback ports, each with a fresh random
 * credential, and returns the connections the hub uses to reach them.
 */
export async function launchSandboxes(
  definitions: readonly SandboxDefinition[],
  options: LaunchOptions,
): Promise<LaunchedSandboxes> {
  const sandboxes: RunningSandbox[] = [];
  try {
    for (const definition of definitions) {
      sandboxes.push(
        await definition.start({
          dataFile: sandboxDataFile(options.dir, definition.id),
          secret: randomBytes(24).toString('base64url'),
          host: options.host ?? '127.0.0.1',
          latencyMs: options.latencyMs,
          failure: options.failure,
        }),
      );
    }
  } catch (error) {
    await Promise.all(sandboxes.map((s) => s.close()));
    throw error;
  }
  const connections = sandboxes.map((s): SourceConnection => ({
    id: s.id,
    adapter: s.id,
    baseUrl: s.url,
    authHeaders: s.authHeaders,
    timeoutMs: options.timeoutMs ?? 10_000,
    pageSize: options.pageSize ?? 500,
    retry: options.retry ?? defaultRetry,
  }));
  return { sandboxes, connections, close: async () => void (await Promise.all(sandboxes.map((s) => s.close()))) };
}
