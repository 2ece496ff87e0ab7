import request from 'supertest';
import { startTestHub, TestHub } from '../support/test-hub';

const graphql = (hub: TestHub, query: string, headers: Record<string, string> = {}) =>
  request(hub.server).post('/graphql').set(headers).send({ query });

describe('foundation over HTTP (external database)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(() => hub.stop());

  it('reports liveness and database readiness', async () => {
    // Anyone hears up or down; the checks behind it are for operators (test/e2e/health.e2e-spec.ts).
    const health = await request(hub.server).get('/health').expect(200);
    expect(health.body).toEqual({ status: 'up' });
    await request(hub.server).get('/health/live').expect(200, { status: 'ok' });
  });

  it('answers hubInfo and says the database is external', async () => {
    const res = await graphql(hub, '{ hubInfo { version database } }').expect(200);
    expect(res.body.data.hubInfo).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), database: 'external' });
  });

  it('echoes an acceptable x-request-id and replaces an unsafe one', async () => {
    const kept = await request(hub.server).get('/health/live').set('x-request-id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(hub.server).get('/health/live').set('x-request-id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives malformed GraphQL a code and the request id, without a stack trace', async () => {
    const res = await graphql(hub, '{ hubInfo { version ', { 'x-request-id': 'req-42' }).expect(400);
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED', requestId: 'req-42' });
  });

  it('rejects an unknown field with a validation code', async () => {
    const res = await graphql(hub, '{ hubInfo { secrets } }').expect(400);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].extensions.requestId).toEqual(expect.any(String));
  });

  it('sends security headers', async () => {
    const res = await request(hub.server).get('/health/live');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('refuses a query with too many aliases before executing it', async () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: hubInfo { version }`).join(' ');
    const res = await graphql(hub, `{ ${aliases} }`).expect(400);
    expect(res.body.data).toBeUndefined();
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.body.errors[0].message).toMatch(/aliases/i);
  });

  it('refuses an oversized query at parse time with a code', async () => {
    const fields = Array.from({ length: 2500 }, () => 'version').join(' ');
    const res = await graphql(hub, `{ hubInfo { ${fields} } }`).expect(400);
    expect(res.body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(res.body.errors[0].message).toMatch(/more th\w+ 2000 tokens/i);
  });

  it('is an Apollo Federation 2 subgraph', async () => {
    const res = await graphql(hub, '{ _service { sdl } }').expect(200);
    expect(res.body.data._service.sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2/);
  });
});
