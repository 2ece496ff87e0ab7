import type { Request, Response } from 'express';
import { request } from 'undici';

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
  requestId?: string;
}

/**
 * The console's only way to personal data: the hub's own GraphQL endpoint, over loopback, with the
 * signed-in user's token and chosen purpose. So a page gets exactly what the API would give the same user
 * for the same purpose, through the same decision, field enforcement, limits and audit: there is no second
 * path to bypass (docs/console.md, "No bypass").
 */
export async function askHub<T>(
  req: Request,
  call: ApiCall,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<ApiAnswer<T>> {
  const port = req.socket.localPort;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    authorization: `Bearer ${call.token}`,
    // The user's address, for the budgets and the trail (taken only where TRUST_PROXY trusts loopback).
    'x-forwarded-for': req.ip ?? '',
  };
  if (call.purpose) headers['x-purpose'] = call.purpose;
  if (call.caseReference) headers['x-case-reference'] = call.caseReference;
  if (call.breakGlass) headers['x-break-glass'] = call.breakGlass;
  if (call.requestId) headers['x-request-id'] = call.requestId;
  const response = await request(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  let body: { data?: T | null; errors?: ApiError[] } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = {
      errors: [{ message: `the hub answered ${response.statusCode} without JSON`, extensions: { code: 'BAD_ANSWER' } }],
    };
  }
  return { data: body.data ?? null, errors: body.errors ?? [], status: response.statusCode };
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
      ...(call.requestId ? { 'x-request-id': call.requestId } : {}),
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
