import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoroughManifest, writeBorough } from '../../src/sandbox/borough-files';
import { AppliedLifeEvent, FailurePlan, RunningSandbox } from '../../src/sandbox/sandbox-kit';
import { launchSandboxes, LaunchedSandboxes } from '../../src/sandbox/sandbox-launcher';
import { SourceAdapter } from '../../src/sources/source-adapter';
import { createAdapter } from '../../src/sources/source-registry';
import { sandboxDefinitions } from '../../src/sandbox/sandbox-registry';
import { SourceConnection } from '../../src/sources/sources-config';

export interface SandboxSources {
  dir: string;
  manifest: BoroughManifest;
  launched: LaunchedSandboxes;
  adapters: Map<string, SourceAdapter>;
  sandbox(id: string): RunningSandbox;
  connection(id: string): SourceConnection;
  /** `POST /_sandbox/records` on one sandbox: `{op: upsert, record}`, `{op: patch, key, changes}`, `{op: delete, key}`. */
  mutate(id: string, body: object): Promise<unknown>;
  fail(id: string, plan: FailurePlan | undefined): void;
  /**
   * `GET /_sandbox/life-events` on one sandbox: every idempotency key it was told (once each, with how many
   * times it arrived in `received`), what it did (`outcome`, `detail`, `changes`) and, for a notice, the
   * retraction that undid it (`retractedBy`).
   */
  lifeEvents(id: string): Promise<AppliedLifeEvent[]>;
  close(): Promise<void>;
}

/**
 * A small generated borough served by the three real sandboxes over HTTP on loopback, with adapters that
 * retry quickly (the tests exercise retries and timeouts without waiting on production back-offs).
 */
export async function startSandboxSources(
  options: { households?: number; seed?: string; pageSize?: number; timeoutMs?: number } = {},
): Promise<SandboxSources> {
  const dir = await mkdtemp(join(tmpdir(), 'hub-borough-'));
  const manifest = await writeBorough(
    dir,
    { households: options.households ?? 60, seed: options.seed ?? 'test-borough' },
    sandboxDefinitions,
  );
  const launched = await launchSandboxes(sandboxDefinitions, {
    dir,
    pageSize: options.pageSize ?? 10,
    timeoutMs: options.timeoutMs ?? 2000,
    retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
  });
  const adapters = new Map(launched.connections.map((c) => [c.id, createAdapter(c)]));
  const sandbox = (id: string) => launched.sandboxes.find((s) => s.id === id)!;
  return {
    dir,
    manifest,
    launched,
    adapters,
    sandbox,
    connection: (id) => launched.connections.find((c) => c.id === id)!,
    async mutate(id, body) {
      const s = sandbox(id);
      const response = await fetch(`${s.url}/_sandbox/records`, {
        method: 'POST',
        headers: { ...s.authHeaders, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const json = (await response.json()) as unknown;
      if (!response.ok) throw new Error(`sandbox ${id} mutate failed: ${response.status} ${JSON.stringify(json)}`);
      return json;
    },
    fail: (id, plan) => sandbox(id).setFailure(plan),
    async lifeEvents(id) {
      const s = sandbox(id);
      const response = await fetch(`${s.url}/_sandbox/life-events`, { headers: s.authHeaders });
      if (!response.ok) throw new Error(`sandbox ${id} life events: ${response.status}`);
      return ((await response.json()) as { applied: AppliedLifeEvent[] }).applied;
    },
    async close() {
      await launched.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
