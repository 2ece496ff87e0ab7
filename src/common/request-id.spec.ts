import type { IncomingMessage, ServerResponse } from 'node:http';
import { assignRequestId, REQUEST_ID_HEADER } from './request-id';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A request carrying `x-request-id: value` (or none), and the response headers it was answered with. */
function exchange(value?: string) {
  const req = { headers: value === undefined ? {} : { [REQUEST_ID_HEADER]: value } } as unknown as IncomingMessage;
  const sent: Record<string, unknown> = {};
  const res = { setHeader: (name: string, header: unknown) => (sent[name] = header) } as unknown as ServerResponse;
  return { id: assignRequestId(req, res), echoed: sent[REQUEST_ID_HEADER] };
}

describe('assignRequestId', () => {
  it("keeps the caller's short, plain id and echoes it", () => {
    expect(exchange('gw-2025-00017')).toEqual({ id: 'gw-2025-00017', echoed: 'gw-2025-00017' });
  });

  it.each([undefined, '', 'bad id\twith spaces', 'x'.repeat(129)])('replaces %p with a new UUID', (value) => {
    const { id, echoed } = exchange(value);
    expect(id).toMatch(uuid);
    expect(echoed).toBe(id);
  });

  // Issue #14, finding 9: a header sent as the text `undefined` or `null` counts as absent.
  it.each(['undefined', 'null', 'UNDEFINED', 'Null'])('treats a header sent as %p as absent', (value) => {
    const first = exchange(value);
    const second = exchange(value);
    expect(first.id).toMatch(uuid);
    expect(second.id).toMatch(uuid);
    expect(first.id).not.toBe(second.id);
  });

  it('gives one request one id, however often it is asked', () => {
    const req = { headers: {} } as unknown as IncomingMessage;
    const res = { setHeader: () => undefined } as unknown as ServerResponse;
    expect(assignRequestId(req, res)).toBe(assignRequestId(req, res));
  });
});
