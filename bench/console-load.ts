import autocannon from 'autocannon';
import { request } from 'undici';
import { writeBorough } from '../src/sandbox/borough-files';
import { launchSandboxes } from '../src/sandbox/sandbox-launcher';
import { sandboxDefinitions } from '../src/sandbox/sandbox-registry';
import { createAdapter } from '../src/sources/source-registry';
import { timed } from './timing';

/**
 * The other side of `bench/console.ts`, in a process of its own so that it does not share the hub's event
 * loop: the sandbox source systems, and the browsers' side: sign-in through the console's own forms (CSRF
 * and all), then its pages as a browser asks them (a GET with the session cookie). Driven over IPC.
 */
type Command =
  | { cmd: 'start'; dir: string; households: number }
  | { cmd: 'latency'; ms: number }
  | { cmd: 'signIn'; base: string; persona: string; users: number; purposeUrl: string }
  | { cmd: 'page'; base: string; path: string; cookie: string; runs: number }
  | { cmd: 'sources'; keys: [string, string[]][]; runs: number }
  | { cmd: 'graphql'; base: string; token: string; query: string; id: string; runs: number }
  | { cmd: 'load'; base: string; path: string; cookies: string[]; connections: number; seconds: number }
  | { cmd: 'stop' };

let launched: Awaited<ReturnType<typeof launchSandboxes>> | undefined;

/** The session cookie a response sets (name=value only), or the one the client already had. */
function cookieOf(headers: Record<string, string | string[] | undefined>, current = ''): string {
  const set = headers['set-cookie'];
  const first = (Array.isArray(set) ? set : set ? [set] : []).find((c) => c.startsWith('hub_console='));
  return first ? first.split(';')[0] : current;
}

/** One user signed in through the console's persona form, with the purpose taken from a link. */
async function signIn(base: string, persona: string, purposeUrl: string): Promise<string> {
  const start = await request(`${base}/console`);
  const html = await start.body.text();
  let cookie = cookieOf(start.headers);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no CSRF token on the sign-in page');
  const signedIn = await request(`${base}/console/sign-in/persona`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: csrf, persona }).toString(),
  });
  await signedIn.body.dump();
  if (signedIn.statusCode !== 303) throw new Error(`sign-in answered ${signedIn.statusCode}`);
  cookie = cookieOf(signedIn.headers, cookie);
  const chosen = await request(`${base}${purposeUrl}`, { headers: { cookie } });
  await chosen.body.dump();
  if (chosen.statusCode !== 200) throw new Error(`the first page answered ${chosen.statusCode}`);
  return cookieOf(chosen.headers, cookie);
}

/** A page that is not what a user should get: an error status, a source outage banner, a refusal. */
function problemOf(status: number, body: string): string | undefined {
  if (status !== 200) return `status ${status}`;
  if (body.includes('data-testid="outage"')) return 'source outage banner';
  if (body.includes('You cannot see this')) return 'refused';
  return undefined;
}

async function page(base: string, path: string, cookie: string): Promise<void> {
  const response = await request(`${base}${path}`, { headers: { cookie } });
  const body = await response.body.text();
  const problem = problemOf(response.statusCode, body);
  if (problem) throw new Error(`${path}: ${problem}`);
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case 'start':
      await writeBorough(command.dir, { households: command.households, seed: 'bench-console' }, sandboxDefinitions);
      launched = await launchSandboxes(sandboxDefinitions, { dir: command.dir, pageSize: 1000 });
      return launched.connections;
    case 'latency':
      for (const sandbox of launched!.sandboxes) sandbox.setLatency(command.ms);
      return null;
    case 'signIn': {
      const cookies: string[] = [];
      for (let i = 0; i < command.users; i++)
        cookies.push(await signIn(command.base, command.persona, command.purposeUrl));
      return cookies;
    }
    case 'page':
      // Warm-up: the templates compiled, the JIT at work, the hub's caches filled.
      for (let i = 0; i < 30; i++) await page(command.base, command.path, command.cookie);
      return timed(command.runs, () => page(command.base, command.path, command.cookie));
    case 'graphql': {
      // The same question the page asks, straight to the API: what the console adds is the difference.
      const ask = async () => {
        const response = await request(`${command.base}/graphql`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${command.token}`,
            'content-type': 'application/json',
            'x-purpose': 'EARLY_HELP',
          },
          body: JSON.stringify({ query: command.query, variables: { id: command.id } }),
        });
        const body = (await response.body.json()) as { errors?: { extensions?: { code?: string } }[] };
        const failed = body.errors?.find((e) => e.extensions?.code !== 'WITHHELD_BY_POLICY');
        if (failed) throw new Error(`query failed: ${JSON.stringify(failed)}`);
      };
      for (let i = 0; i < 30; i++) await ask();
      return timed(command.runs, ask);
    }
    case 'sources': {
      // Every source's lookup for the household's members at once, as the hub makes them: the slowest
      // source as a client on this machine sees it.
      const adapters = new Map(launched!.connections.map((c) => [c.id, createAdapter(c)]));
      const lookups = command.keys.filter(([source]) => adapters.has(source));
      for (let i = 0; i < 10; i++)
        await Promise.all(lookups.map(([source, keys]) => adapters.get(source)!.fetchDetails(keys)));
      return timed(command.runs, () =>
        Promise.all(lookups.map(([source, keys]) => adapters.get(source)!.fetchDetails(keys))),
      );
    }
    case 'load': {
      let next = 0;
      const problems: Record<string, number> = {};
      const times: number[] = [];
      const instance = autocannon({
        url: command.base,
        connections: command.connections,
        duration: command.seconds,
        timeout: 30,
        requests: [
          {
            method: 'GET',
            path: command.path,
            // Each connection is one user: their own session cookie on every request they send.
            setupRequest: (req, context) => {
              if (typeof context.cookie !== 'string') context.cookie = command.cookies[next++ % command.cookies.length];
              return { ...req, headers: { ...req.headers, cookie: context.cookie as string } };
            },
            onResponse: (status, body) => {
              const problem = problemOf(status, body);
              if (problem) problems[problem] = (problems[problem] ?? 0) + 1;
            },
          },
        ],
      });
      instance.on('response', (_client, _status, _bytes, ms) => times.push(ms));
      const result = await instance;
      return {
        requests: result.requests.total,
        seconds: result.duration,
        errors: result.errors,
        timeouts: result.timeouts,
        non2xx: result.non2xx,
        problems,
        times,
      };
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

// The benchmark gone (finished or failed): the sandboxes go with it.
process.on('disconnect', () => void launched?.close().finally(() => process.exit(0)));
