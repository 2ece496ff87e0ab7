import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { writeBorough } from '../src/sandbox/borough-files';
import { launchSandboxes } from '../src/sandbox/sandbox-launcher';
import { createAdapter } from '../src/sources/source-registry';
import { sandboxDefinitions } from '../src/sandbox/sandbox-registry';
import { timed } from './timing';

/**
 * The other side of `bench/query.ts`, in a process of its own so that it does not share the hub's event
 * loop: the three sandbox source systems, and the clients that load the hub. Driven over IPC.
 */
type Command =
  | { cmd: 'start'; dir: string; households: number }
  | { cmd: 'latency'; ms: number }
  | { cmd: 'household'; endpoint: string; token: string; query: string; ids: string[]; runs: number }
  | { cmd: 'sequential'; keys: [string, string[]][]; runs: number; parallel?: boolean }
  | {
      cmd: 'persons';
      endpoint: string;
      token: string;
      query: string;
      ids: string[];
      concurrency: number;
      seconds: number;
    }
  | { cmd: 'compare'; endpoints: string[]; token: string; query: string; ids: string[]; runs: number }
  | { cmd: 'stop' };

let launched: Awaited<ReturnType<typeof launchSandboxes>> | undefined;

// undici's request, not fetch: the clients' own cost is not what is measured, and fetch costs twice as much.
async function post(endpoint: string, token: string, query: string, id: string): Promise<void> {
  const response = await request(endpoint, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-purpose': 'EARLY_HELP' },
    body: JSON.stringify({ query, variables: { id } }),
  });
  const body = (await response.body.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
  const failed = body.errors?.find((e) => e.extensions?.code !== 'WITHHELD_BY_POLICY');
  if (failed) throw new Error(`query failed: ${JSON.stringify(failed)}`);
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'start':
      await writeBorough(command.dir, { households: command.households, seed: 'bench-query' }, sandboxDefinitions);
      launched = await launchSandboxes(sandboxDefinitions, { dir: command.dir, pageSize: 1000 });
      return launched.connections;
    case 'latency':
      for (const sandbox of launched!.sandboxes) sandbox.setLatency(command.ms);
      return null;
    case 'household':
      for (let i = 0; i < 50; i++) await post(command.endpoint, command.token, command.query, command.ids[0]);
      return timed(command.runs, () => post(command.endpoint, command.token, command.query, command.ids[0]));
    case 'sequential': {
      const adapters = new Map(launched!.connections.map((c) => [c.id, createAdapter(c)]));
      if (command.parallel)
        return timed(command.runs, () =>
          Promise.all(command.keys.map(([source, keys]) => adapters.get(source)!.fetchDetails(keys))),
        );
      return timed(command.runs, async () => {
        for (const [source, keys] of command.keys) await adapters.get(source)!.fetchDetails(keys);
      });
    }
    case 'persons': {
      for (const id of command.ids.slice(0, 50)) await post(command.endpoint, command.token, command.query, id);
      let next = 0;
      const times: number[] = [];
      const started = performance.now();
      const until = started + command.seconds * 1000;
      await Promise.all(
        Array.from({ length: command.concurrency }, async () => {
          while (performance.now() < until) {
            const t0 = performance.now();
            await post(command.endpoint, command.token, command.query, command.ids[next++ % command.ids.length]);
            times.push(performance.now() - t0);
          }
        }),
      );
      return { done: times.length, seconds: (performance.now() - started) / 1000, times };
    }
    case 'compare': {
      // One view at a time, each endpoint in turn on the same person, after a warm-up of each.
      const times = command.endpoints.map(() => [] as number[]);
      for (let i = -50; i < command.runs; i++) {
        const id = command.ids[(i + 50) % command.ids.length];
        for (const [e, endpoint] of command.endpoints.entries()) {
          const t0 = performance.now();
          await post(endpoint, command.token, command.query, id);
          if (i >= 0) times[e].push(performance.now() - t0);
        }
      }
      return times;
    }
    case 'stop':
      await launched?.close();
      setImmediate(() => process.exit(0));
      return null;
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (result) => process.send!({ ok: true, result }),
    (error: unknown) => process.send!({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
