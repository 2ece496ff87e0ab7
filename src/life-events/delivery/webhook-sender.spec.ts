import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactSign, exportJWK, generateKeyPair } from 'jose';
import { verifyWebhookBody } from '../webhook-signature';
import { postWebhook, webhookAddressProblem, WebhookBody } from './webhook-sender';

describe('webhookAddressProblem', () => {
  it.each([
    ['https://partner.example/hook', false, undefined],
    ['https://partner.example/hook', true, undefined],
    ['http://127.0.0.1:8080/hook', false, undefined],
    ['http://localhost/hook', false, undefined],
    ['http://[::1]:9000/hook', false, undefined],
    ['http://127.0.0.1:8080/hook', true, 'the webhook address must be https'],
    [
      'http://partner.example/hook',
      false,
      'a plain http webhook address is allowed only on loopback, outside production',
    ],
    ['ftp://partner.example/hook', false, 'the webhook address must be https'],
    ['https://user:secret@partner.example/hook', false, 'the webhook address must not carry credentials'],
    ['not a url', false, 'the webhook address is not a URL'],
  ])('%s (production %s)', (address, production, problem) => {
    expect(webhookAddressProblem(address, production)).toBe(problem);
  });
});

describe('postWebhook', () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body?: string; headers?: Record<string, string> } = { status: 200 };
  let last: { body: string; signature: string } | undefined;
  const body: WebhookBody = {
    deliveryId: '11111111-1111-4111-8111-111111111111',
    idempotencyKey: 'key-1',
    kind: 'NOTICE',
    eventId: '22222222-2222-4222-8222-222222222222',
    type: 'DEATH',
    released: { 'hub.lifeEvent.type': 'DEATH' },
  };
  let sign: (payload: string, header: Record<string, unknown>) => Promise<string>;
  let publicJwk: Awaited<ReturnType<typeof exportJWK>>;

  beforeAll(async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    publicJwk = await exportJWK(publicKey);
    sign = (payload, header) =>
      new CompactSign(new TextEncoder().encode(payload))
        .setProtectedHeader({ alg: 'ES256', ...header })
        .sign(privateKey);
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        last = { body: Buffer.concat(chunks).toString(), signature: String(req.headers['x-hub-signature']) };
        res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (address = url) => postWebhook(address, body, sign, { timeoutMs: 2000, production: false });

  it('posts the body as JSON with a detached signature that verifies over exactly that body', async () => {
    answer = { status: 200, body: '{"outcome":"already-applied"}' };
    expect(await post()).toEqual({ ok: true, outcome: 'already-applied', detail: 'HTTP 200' });
    expect(JSON.parse(last!.body)).toEqual(body);
    expect(last!.signature).toMatch(/^[\w-]+\.\.[\w-]+$/);
    expect(await verifyWebhookBody(publicJwk, last!.body, last!.signature)).toBe(true);
    expect(await verifyWebhookBody(publicJwk, last!.body.replace('DEATH', 'BIRTH'), last!.signature)).toBe(false);
  });

  it('takes a 2xx without a receipt as accepted', async () => {
    answer = { status: 204 };
    expect(await post()).toEqual({ ok: true, outcome: 'accepted', detail: 'HTTP 204' });
  });

  it.each([
    [503, false],
    [500, false],
    [429, false],
    [408, false],
    [400, true],
    [401, true],
    [410, true],
  ])('HTTP %s: refused (not retried) %s', async (status, refused) => {
    answer = { status, body: 'secret detail from the partner' };
    const result = await post();
    expect(result).toEqual({ ok: false, refused, error: expect.stringContaining(`HTTP ${status}`) });
    expect(JSON.stringify(result)).not.toContain('secret detail');
  });

  it('does not follow a redirect', async () => {
    answer = { status: 302, headers: { location: 'https://elsewhere.example/' } };
    expect(await post()).toEqual({
      ok: false,
      refused: true,
      error: 'webhook answered HTTP 302 (redirects are not followed)',
    });
  });

  it('an unreachable webhook is retried, named by its error code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await post(`http://127.0.0.1:${port}/hook`)).toEqual({
      ok: false,
      refused: false,
      error: 'webhook unreachable (ECONNREFUSED)',
    });
  });
});
