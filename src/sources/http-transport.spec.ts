import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpSourceTransport } from './http-transport';
import { SourceErrorCode, SourceException } from './source-transport';
import { SourceConnection } from './sources-config';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('HttpSourceTransport (real HTTP on loopback)', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push({ method: req.method, url: req.url, headers: req.headers, body });
        handler(req, res, body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (seen.length = 0));

  const transport = (overrides: Partial<SourceConnection> = {}) =>
    new HttpSourceTransport({
      id: 'housing',
      adapter: 'housing',
      baseUrl,
      authHeaders: { 'x-api-key': 'secret' },
      timeoutMs: 500,
      pageSize: 100,
      retry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 10 },
      ...overrides,
    });
  const json =
    (status: number, value: unknown): Handler =>
    (_req, res) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error as SourceException,
    );

  it('fetches a text body (a CSV extract) as it is, with the credentials, retrying as for JSON', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls += 1;
      if (calls === 1) return res.writeHead(503).end('busy');
      res.writeHead(200, { 'content-type': 'text/csv' }).end('UPN,Name\nA1,"Smith, Jo"\n');
    };
    await expect(transport().getText('/extracts/pupils.csv')).resolves.toBe('UPN,Name\nA1,"Smith, Jo"\n');
    expect(seen).toHaveLength(2);
    expect(seen[1].headers).toMatchObject({ 'x-api-key': 'secret', accept: 'text/csv, text/plain' });
  });

  it('sends credentials, the request id and the query, and parses JSON', async () => {
    handler = json(200, { ok: true });
    await expect(
      transport().getJson('/records', { since: 'x y', key: ['a', 'b'] }, { requestId: 'req-1' }),
    ).resolves.toEqual({ ok: true });
    expect(seen[0]).toMatchObject({ method: 'GET', url: '/api/records?since=x+y&key=a&key=b' });
    expect(seen[0].headers).toMatchObject({
      'x-api-key': 'secret',
      'x-request-id': 'req-1',
      accept: 'application/json',
    });
  });

  it('posts a JSON body', async () => {
    handler = (_req, res, body) => res.writeHead(200).end(body);
    await expect(transport().postJson('/lookup', { keys: ['k1'] }, { idempotent: true })).resolves.toEqual({
      keys: ['k1'],
    });
    expect(seen[0].headers['content-type']).toBe('application/json');
  });

  it('retries an idempotent read on a 503, and not a 4xx', async () => {
    let calls = 0;
    handler = (req, res) => (++calls < 3 ? res.writeHead(503).end('busy') : json(200, { calls })(req, res, ''));
    await expect(transport().getJson('/records')).resolves.toEqual({ calls: 3 });
    handler = json(404, { error: 'no' });
    const error = await failure(transport().getJson('/records'));
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_HTTP_ERROR, status: 404 });
    expect(seen).toHaveLength(4);
  });

  it('says when each attempt is handed to the HTTP client, before the source sees it', async () => {
    const order: string[] = [];
    let calls = 0;
    handler = (req, res) => {
      order.push('served');
      return ++calls < 2 ? res.writeHead(503).end('busy') : json(200, { calls })(req, res, '');
    };
    const answer = transport().postJson(
      '/lookup',
      { keys: ['k1'] },
      { idempotent: true, onDispatch: () => order.push('dispatched') },
    );
    await expect(answer).resolves.toEqual({ calls: 2 });
    expect(order).toEqual(['dispatched', 'served', 'dispatched', 'served']);
  });

  it('does not retry a write', async () => {
    handler = (_req, res) => res.writeHead(503).end();
    expect(await failure(transport().postJson('/notes', { a: 1 }))).toMatchObject({
      code: SourceErrorCode.SOURCE_HTTP_ERROR,
      status: 503,
    });
    expect(seen).toHaveLength(1);
  });

  it('never follows a redirect', async () => {
    handler = (_req, res) => res.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end();
    expect(await failure(transport().getJson('/records'))).toMatchObject({
      code: SourceErrorCode.SOURCE_HTTP_ERROR,
      status: 302,
    });
    expect(seen).toHaveLength(1);
  });

  it('reports a body that is not JSON, keeping an excerpt for quarantine but no values in the message', async () => {
    handler = (_req, res) => res.writeHead(200).end('<html>oops</html>');
    const error = await failure(transport().getJson('/records', { key: 'AB123456C' }));
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_NOT_JSON, bodyExcerpt: '<html>oops</html>' });
    expect(error?.message).toContain('/api/records?key');
    expect(error?.message).not.toContain('AB123456C');
  });

  it('times out a source that does not answer, after its retries', async () => {
    handler = () => undefined;
    const started = Date.now();
    const error = await failure(
      transport({ timeoutMs: 100, retry: { maxAttempts: 2, initialDelayMs: 5, maxDelayMs: 5 } }).getJson('/records'),
    );
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_TIMEOUT });
    expect(seen).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  });

  it('reports an unreachable source by its network error', async () => {
    const error = await failure(
      transport({ baseUrl: 'http://127.0.0.1:1', retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } }).getJson(
        '/records',
      ),
    );
    expect(error).toMatchObject({ code: SourceErrorCode.SOURCE_UNREACHABLE });
    expect(error?.message).toContain('ECONNREFUSED');
  });

  it("stops when the caller's signal aborts, without a retry", async () => {
    handler = () => undefined;
    const caller = new AbortController();
    const pending = failure(transport({ timeoutMs: 5000 }).getJson('/records', undefined, { signal: caller.signal }));
    setTimeout(() => caller.abort(), 50);
    const error = await pending;
    expect(error).toBeDefined();
    expect(error).not.toBeInstanceOf(SourceException);
    expect(seen).toHaveLength(1);
  });
});
