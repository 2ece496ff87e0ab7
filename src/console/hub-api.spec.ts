import type { Request } from 'express';
import { HubRequestContext } from '../engine/request-context';
import { GraphqlServer, HubApi } from './hub-api';

type Executed = { request: Parameters<GraphqlServer['executeOperation']>[0]; context: HubRequestContext };

/** A GraphQL server that records what it was asked and answers `answer`. */
function serverAnswering(answer: Awaited<ReturnType<GraphqlServer['executeOperation']>>) {
  const executed: Executed[] = [];
  const server: GraphqlServer = {
    executeOperation: async (request, { contextValue }) => {
      executed.push({ request, context: contextValue });
      return answer;
    },
  };
  return { server, executed };
}

/** A browser's request for a page, as Express gives it to the console (its address with TRUST_PROXY applied). */
const page = {
  ip: '203.0.113.7',
  headers: { cookie: 'hub_console=s%3Asecret', 'x-forwarded-for': '203.0.113.7', authorization: 'Bearer browser' },
  session: { user: { token: 'session-token' } },
  socket: { remoteAddress: '127.0.0.1', localPort: 3000 },
} as unknown as Request;

describe('HubApi: the console asks the hub in process', () => {
  it("gives the API the call's headers only, the user's address and the page's request id", async () => {
    const { server, executed } = serverAnswering({ http: {}, body: { kind: 'single', singleResult: { data: {} } } });
    const call = {
      token: 'user-token',
      purpose: 'EARLY_HELP',
      caseReference: 'CASE-1',
      breakGlass: 'g-1',
    };
    await new HubApi(() => server).ask(
      { ...page, id: 'r-1' } as unknown as Request,
      call,
      'query Q { me { subject } }',
      { id: 'x' },
    );

    expect(executed).toHaveLength(1);
    const [{ request, context }] = executed;
    expect(request.query).toBe('query Q { me { subject } }');
    expect(request.variables).toEqual({ id: 'x' });
    expect(request.http.method).toBe('POST');
    const expectedHeaders = {
      'content-type': 'application/json',
      authorization: 'Bearer user-token',
      'x-purpose': 'EARLY_HELP',
      'x-case-reference': 'CASE-1',
      'x-break-glass': 'g-1',
      'x-request-id': 'r-1',
    };
    expect(Object.fromEntries(request.http.headers)).toEqual(expectedHeaders);
    // The browser's cookie, forwarded header and any Authorization it sent never reach the API.
    expect(context.req.headers).toEqual(expectedHeaders);
    expect(context.req.get('cookie')).toBeUndefined();
    expect(context.req.ip).toBe('203.0.113.7');
    expect(context.requestId).toBe('r-1');
    expect(context.principal).toBeUndefined();
    expect((context.req as unknown as { session?: unknown }).session).toBeUndefined();
    expect(context.req.originalUrl).toBe('/graphql');
  });

  it('a fresh request and context for every call: nothing of one call is seen by the next', async () => {
    const { server, executed } = serverAnswering({ http: {}, body: { kind: 'single', singleResult: { data: {} } } });
    const api = new HubApi(() => server);
    await api.ask({ ...page, id: 'r-1' } as unknown as Request, { token: 'a', purpose: 'EARLY_HELP' }, '{ a }');
    await api.ask({ ...page, id: 'r-2' } as unknown as Request, { token: 'b' }, '{ b }');
    expect(executed[0].context).not.toBe(executed[1].context);
    expect(executed[1].context.req.headers).toEqual({
      'content-type': 'application/json',
      authorization: 'Bearer b',
      'x-request-id': 'r-2',
    });
  });

  it("gives a call the page's own request id, so the page and its calls' events share one", async () => {
    const { server, executed } = serverAnswering({ http: {}, body: { kind: 'single', singleResult: { data: {} } } });
    await new HubApi(() => server).ask({ ...page, id: 'page-1' } as unknown as Request, { token: 't' }, '{ a }');
    const [{ request, context }] = executed;
    expect(context.requestId).toBe('page-1');
    expect(request.http.headers.get('x-request-id')).toBe('page-1');
  });

  it('gives a call one of its own where the page has none, as the HTTP layer would', async () => {
    const { server, executed } = serverAnswering({ http: {}, body: { kind: 'single', singleResult: { data: {} } } });
    await new HubApi(() => server).ask(page, { token: 't' }, '{ a }');
    const [{ request, context }] = executed;
    expect(context.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(request.http.headers.get('x-request-id')).toBe(context.requestId);
  });

  it("passes on the API's data, errors and status", async () => {
    const errors = [{ message: 'Refused', path: ['person'], extensions: { code: 'WITHHELD_BY_POLICY' } }];
    const { server } = serverAnswering({
      http: { status: 403 },
      body: { kind: 'single', singleResult: { data: { person: null }, errors } },
    });
    const answer = await new HubApi(() => server).ask(page, { token: 't' }, '{ person }');
    expect(answer).toEqual({ data: { person: null }, errors, status: 403 });
  });

  it('an answer in parts (incremental delivery) is a clear error, not a page', async () => {
    const { server } = serverAnswering({ http: {}, body: { kind: 'incremental' } });
    const answer = await new HubApi(() => server).ask(page, { token: 't' }, '{ a }');
    expect(answer.data).toBeNull();
    expect(answer.status).toBe(500);
    expect(answer.errors[0].extensions?.code).toBe('BAD_ANSWER');
  });
});
