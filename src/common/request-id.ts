import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// A caller's id is kept for correlation only if it is short and plain, so it cannot inject into logs.
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;
// A client that interpolates an unset variable sends the text `undefined` (or `null`): that names no request,
// and kept it would give thousands of unrelated requests one id in the logs and the audit trail.
const unsetPlaceholder = /^(?:undefined|null)$/i;

/** The id `assignRequestId` gave the request (empty before it has run). */
export function requestIdOf(req: IncomingMessage): string {
  return String((req as { id?: unknown }).id ?? '');
}

/** The request's id: the caller's `x-request-id` when acceptable, else a new UUID; echoed in the response. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const existing = (req as { id?: unknown }).id;
  if (typeof existing === 'string') return existing;
  const offered = req.headers[REQUEST_ID_HEADER];
  const id =
    typeof offered === 'string' && acceptable.test(offered) && !unsetPlaceholder.test(offered) ? offered : randomUUID();
  (req as { id?: string }).id = id;
  res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
