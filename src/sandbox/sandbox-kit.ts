import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { Borough } from './borough-model';

/**
 * The plumbing the three sandbox source systems share: an HTTP server on loopback, credentials, latency
 * and failures on demand, and the admin endpoints. Each module's sandbox supplies its own API (paths,
 * shapes, pagination) and its own storage. Shared types: `modules/*` import this file.
 */
export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface SandboxResponse {
  status: number;
  body: unknown;
  /** Set for a body sent as it is (a string: a CSV extract); otherwise the body is sent as JSON. */
  contentType?: string;
}

/** `500`: an error status; `garbage`: 200 with a body that is not JSON; `timeout`: no answer at all. */
export type FailureMode = '500' | 'garbage' | 'timeout';

export interface FailurePlan {
  mode: FailureMode;
  /** Fail this many requests, then answer normally again; unset: until cleared. */
  count?: number;
  /** Let this many requests through first. */
  after?: number;
  /** Only requests whose path starts with this. */
  path?: string;
}

export interface SandboxServerOptions {
  name: string;
  host?: string;
  port?: number;
  /** Whether the request carries this sandbox's credentials. */
  authorise(headers: IncomingHttpHeaders): boolean;
  handle(request: SandboxRequest): Promise<SandboxResponse | undefined> | SandboxResponse | undefined;
  /** `POST /_sandbox/records`: add, change or delete a record in the sandbox's own shape. */
  mutate(body: unknown): Promise<SandboxResponse> | SandboxResponse;
  latencyMs?: number;
  failure?: FailurePlan;
}

export interface RunningSandbox {
  id: string;
  url: string;
  /** Headers that authenticate to this sandbox, as a sources configuration would set them. */
  authHeaders: Record<string, string>;
  setFailure(plan: FailurePlan | undefined): void;
  setLatency(ms: number): void;
  /** API requests answered so far (admin requests not counted). */
  readonly requests: number;
  close(): Promise<void>;
}

export interface SandboxStartOptions {
  /** The sandbox's own storage file (created from the borough by `fromBorough`). */
  dataFile: string;
  /** The credential this run accepts (an API key, password or token, as the sandbox's scheme uses it). */
  secret: string;
  host?: string;
  port?: number;
  latencyMs?: number;
  failure?: FailurePlan;
}

/** What each module's sandbox exports for the launcher. */
export interface SandboxDefinition {
  id: string;
  /** The sandbox's stored data, in its own shape, for its part of the borough. */
  fromBorough(borough: Borough): unknown;
  /**
   * Which of its records is which borough person, for the ground truth, when the sandbox makes its records
   * itself (rather than from the borough's `housing`, `benefits` or `socialCare` views).
   */
  truth?(borough: Borough): { sourceKey: string; personId: string }[];
  start(options: SandboxStartOptions): Promise<RunningSandbox>;
}

const maxBody = 5 * 1024 * 1024;

/**
 * Starts a module's sandbox with the run's options: requests must carry `credential.header` with exactly
 * `credential.value` (the sandbox's own scheme: an API key, Basic or Bearer), and the launcher is told the
 * same header to configure the hub with.
 */
export function serveSandbox(
  name: string,
  options: SandboxStartOptions,
  credential: { header: string; value: string },
  handlers: Pick<SandboxServerOptions, 'handle' | 'mutate'>,
): Promise<RunningSandbox> {
  const header = credential.header.toLowerCase();
  return startSandboxServer(
    {
      name,
      host: options.host,
      port: options.port,
      latencyMs: options.latencyMs,
      failure: options.failure,
      authorise: (headers) => sameSecret(headers[header] as string | undefined, credential.value),
      ...handlers,
    },
    { [header]: credential.value },
  );
}

export async function startSandboxServer(
  options: SandboxServerOptions,
  authHeaders: Record<string, string>,
): Promise<RunningSandbox> {
  let latency = options.latencyMs ?? 0;
  let failure = options.failure ? { ...options.failure, seen: 0, failed: 0 } : undefined;
  let requests = 0;

  const server: Server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => send(res, 500, { error: 'internal', message: String(error) }));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrived = performance.now();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (!options.authorise(req.headers)) return send(res, 401, { error: 'unauthorised' });
    let body: unknown;
    try {
      body = await readBody(req);
    } catch (error) {
      return send(res, 400, { error: 'bad-request', message: (error as Error).message });
    }
    if (url.pathname.startsWith('/_sandbox/')) return admin(req.method ?? 'GET', url.pathname, body, res);
    requests += 1;
    // A source "answering in N ms" answers N ms after the request arrived: its own work is part of the N.
    const delay = Math.min(Number(url.searchParams.get('latencyMs') ?? latency), 60_000);
    const answerAt = async () => {
      const wait = delay - (performance.now() - arrived);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil(wait)));
    };
    const requested = String(req.headers['x-sandbox-fail'] ?? '') as FailureMode | '';
    const mode = requested || planned(url.pathname);
    if (mode === 'timeout') return; // the socket stays open until the client gives up or the server closes
    if (mode === 'garbage') {
      await answerAt();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html><body>502 Bad Gateway (proxy)</body></html>');
      return;
    }
    if (mode === '500') {
      await answerAt();
      return send(res, 500, { error: 'internal', message: 'injected failure' });
    }
    const query = url.searchParams;
    const answer = await options.handle({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: req.headers,
      body,
    });
    await answerAt();
    if (!answer) return send(res, 404, { error: 'not-found' });
    if (answer.contentType) return sendText(res, answer.status, answer.contentType, String(answer.body));
    send(res, answer.status, answer.body);
  }

  function planned(path: string): FailureMode | undefined {
    if (!failure || (failure.path && !path.startsWith(failure.path))) return undefined;
    failure.seen += 1;
    if (failure.seen <= (failure.after ?? 0)) return undefined;
    if (failure.count !== undefined && failure.failed >= failure.count) return undefined;
    failure.failed += 1;
    return failure.mode;
  }

  async function admin(method: string, path: string, body: unknown, res: ServerResponse): Promise<void> {
    if (path === '/_sandbox/failures' && method === 'POST') {
      const plan = body as FailurePlan;
      if (!plan || !['500', 'garbage', 'timeout'].includes(plan.mode))
        return send(res, 400, { error: 'mode must be 500, garbage or timeout' });
      failure = { ...plan, seen: 0, failed: 0 };
      return send(res, 200, { failure });
    }
    if (path === '/_sandbox/failures' && method === 'DELETE') {
      failure = undefined;
      return send(res, 200, { failure: null });
    }
    if (path === '/_sandbox/latency' && method === 'POST') {
      latency = Math.max(0, Number((body as { ms?: number })?.ms ?? 0));
      return send(res, 200, { latencyMs: latency });
    }
    if (path === '/_sandbox/records' && method === 'POST') {
      const answer = await options.mutate(body);
      return send(res, answer.status, answer.body);
    }
    send(res, 404, { error: 'not-found' });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    id: options.name,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    authHeaders,
    setFailure: (plan) => (failure = plan ? { ...plan, seen: 0, failed: 0 } : undefined),
    setLatency: (ms) => (latency = ms),
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, contentType: string, text: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  if (req.method === 'GET' || req.method === 'HEAD') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new Error('body is not JSON');
  }
}

/** Constant-time comparison of a presented credential with the expected one. */
export function sameSecret(presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Clamps a page-size query parameter. */
export function pageSizeOf(value: string | null, fallback: number, max = 1000): number {
  const n = Number(value ?? fallback);
  return Number.isInteger(n) && n > 0 ? Math.min(n, max) : fallback;
}

/** A sandbox's store, as tests change it the way the real system's data would change. */
export interface MutableStore {
  upsert(record: Record<string, unknown>): unknown;
  patch(key: string, changes: Record<string, unknown>): unknown;
  remove(key: string): boolean;
  save(): Promise<void>;
}

/**
 * A test's change to a sandbox's data (`POST /_sandbox/mutate`): `{op: "upsert", record}` (a record in the
 * source's own shape), `{op: "patch", key, changes}` or `{op: "delete", key}` (key: the source's own key).
 */
export async function applyMutation(store: MutableStore, body: unknown): Promise<SandboxResponse> {
  const { op, key, record, changes } = (body ?? {}) as {
    op?: string;
    key?: string;
    record?: Record<string, unknown>;
    changes?: Record<string, unknown>;
  };
  let result: unknown;
  if (op === 'upsert' && record && typeof record === 'object') result = store.upsert(record);
  else if (op === 'patch' && key && changes) result = store.patch(key, changes);
  else if (op === 'delete' && key) result = store.remove(key) || undefined;
  else
    return {
      status: 400,
      body: { error: 'expected {op: upsert, record} | {op: patch, key, changes} | {op: delete, key}' },
    };
  if (result === undefined) return { status: 404, body: { error: 'no such record' } };
  await store.save();
  return { status: 200, body: { ok: true, record: result } };
}
