import { randomUUID } from 'node:crypto';
import { HeaderMap } from '@apollo/server';
import type { Request, Response } from 'express';
import { request } from 'undici';
import { requestIdOf } from '../common/request-id';
import { HubRequestContext } from '../engine/request-context';

/** One GraphQL error as the hub answers it. */
export interface ApiError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; details?: Record<string, unknown>; requestId?: string };
}

export interface ApiAnswer<T> {
  data: T | null;
  errors: ApiError[];
  status: number;
}

/** What a console page asks the hub for, on behalf of the signed-in user. */
export interface ApiCall {
  token: string;
  purpose?: string;
  caseReference?: string;
  breakGlass?: string;
}

/** One operation run through the hub's GraphQL server's whole request pipeline (Apollo's `executeOperation`). */
export interface GraphqlServer {
  executeOperation(
    request: { query: string; variables: Record<string, unknown>; http: GraphqlHttpRequest },
    options: { contextValue: HubRequestContext },
  ): Promise<{
    http: { status?: number };
    body: { kind: 'single'; singleResult: { data?: unknown; errors?: readonly unknown[] } } | { kind: 'incremental' };
  }>;
}

interface GraphqlHttpRequest {
  method: string;
  headers: HeaderMap;
  search: string;
  body: unknown;
}

/**
 * The console's only way to personal data: the hub's own GraphQL API, with the signed-in user's token and
 * chosen purpose, run in process through the same Apollo server that answers `/graphql` (its limits,
 * input checks and plugins), the same guard (the token verified, the client's budget spent), the same
 * decision, field enforcement and audit. So a page gets exactly what the API would give the same user for
 * the same purpose: there is no second path to bypass (docs/console.md, "No bypass"). In process rather
 * than over loopback: no HTTP round trip and no answer written as JSON and read back (about 3 ms of a
 * household page), and the API sees the user's own address, not loopback's.
 */
export class HubApi {
  constructor(private readonly server: () => GraphqlServer) {}

  async ask<T>(
    req: Request,
    call: ApiCall,
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<ApiAnswer<T>> {
    // Every call has the page's own request id (so the page's access-log line, its response header and the
    // audit events of its calls name one id), or a new one where the page has none.
    const requestId = requestIdOf(req) || randomUUID();
    const headers = apiHeaders(call, requestId);
    const http = {
      method: 'POST',
      headers: new HeaderMap(Object.entries(headers)),
      search: '',
      body: { query, variables },
    };
    const context = new HubRequestContext(apiRequest(req, headers, requestId), apiResponse());
    const response = await this.server().executeOperation({ query, variables, http }, { contextValue: context });
    if (response.body.kind !== 'single')
      return {
        data: null,
        errors: [{ message: 'the hub answered in parts', extensions: { code: 'BAD_ANSWER' } }],
        status: 500,
      };
    const { data, errors } = response.body.singleResult;
    return {
      data: (data ?? null) as T | null,
      errors: (errors ?? []) as ApiError[],
      status: response.http.status ?? 200,
    };
  }
}

/** The headers of the API call: the user's token and access context, nothing of the browser's (no cookie). */
function apiHeaders(call: ApiCall, requestId: string): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${call.token}` };
  if (call.purpose) headers['x-purpose'] = call.purpose;
  if (call.caseReference) headers['x-case-reference'] = call.caseReference;
  if (call.breakGlass) headers['x-break-glass'] = call.breakGlass;
  headers['x-request-id'] = requestId;
  return headers;
}

/**
 * The request the API sees for a page's call: a POST to /graphql with the call's headers only, under the
 * call's request id, from the user's address as Express gave it for the page (TRUST_PROXY applied once,
 * to the browser's request). It has no session, no cookie and no principal: the guard verifies the token
 * as for any caller.
 */
function apiRequest(page: Request, headers: Record<string, string>, requestId: string): Request {
  const ip = page.ip;
  const api = {
    method: 'POST',
    url: '/graphql',
    originalUrl: '/graphql',
    path: '/graphql',
    headers,
    id: requestId,
    ip,
    ips: [] as string[],
    socket: { remoteAddress: ip },
    get: (name: string) => headers[name.toLowerCase()],
    header: (name: string) => headers[name.toLowerCase()],
  };
  return api as unknown as Request;
}

/** The API's response object: nothing of the call is written to the page's response (headers are Apollo's). */
function apiResponse(): Response {
  const headers = new Map<string, unknown>();
  return {
    headersSent: false,
    locals: {},
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), value),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
  } as unknown as Response;
}

/** A field the hub withheld, by its path in the answer ("person.nino", "household.members.0.person.email"). */
export type Withheld = Map<string, string>;

/** The WITHHELD_BY_POLICY errors of an answer, by path, each with the reason the hub gave. */
export function withheldByPath(errors: readonly ApiError[]): Withheld {
  const withheld = new Map<string, string>();
  for (const error of errors) {
    if (error.extensions?.code !== 'WITHHELD_BY_POLICY' || !error.path) continue;
    const reason =
      typeof error.extensions.details?.reason === 'string' ? error.extensions.details.reason : error.message;
    withheld.set(error.path.join('.'), reason);
  }
  return withheld;
}

/** Errors that are not withheld fields: the page shows them as problems (an outage, a refusal). */
export function otherErrors(errors: readonly ApiError[]): ApiError[] {
  return errors.filter((error) => error.extensions?.code !== 'WITHHELD_BY_POLICY');
}

/**
 * A download from one of the hub's own export endpoints (the DPO's CSV and JSON exports), passed through
 * to the browser as the hub answers it, with the user's token: the hub decides and audits, as for a page.
 */
export async function streamFromHub(req: Request, res: Response, call: ApiCall, path: string): Promise<void> {
  const response = await request(`http://127.0.0.1:${req.socket.localPort}${path}`, {
    method: 'GET',
    headers: {
      authorization: `Bearer ${call.token}`,
      'x-forwarded-for': req.ip ?? '',
      'x-request-id': requestIdOf(req),
    },
    headersTimeout: 30_000,
  });
  res.status(response.statusCode);
  for (const header of ['content-type', 'content-disposition'] as const) {
    const value = response.headers[header];
    if (typeof value === 'string') res.setHeader(header, value);
  }
  for await (const chunk of response.body) {
    if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
