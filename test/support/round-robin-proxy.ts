import { Agent, createServer, IncomingMessage, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy passed on: which upstream (by index) served it, under which request id. */
export interface Forwarded {
  upstream: number;
  requestId?: string;
  status?: number;
}

export interface RoundRobinProxy {
  url: string;
  /** Every request so far, in the order they arrived. */
  forwarded: Forwarded[];
  close(): Promise<void>;
}

/**
 * A load balancer in miniature, on loopback: each request goes to the next upstream in turn, with
 * `X-Forwarded-For` naming the client as a real balancer does. Kept-alive connections to the upstreams, as
 * a balancer keeps them.
 */
export async function startRoundRobinProxy(upstreams: string[]): Promise<RoundRobinProxy> {
  const agent = new Agent({ keepAlive: true });
  const forwarded: Forwarded[] = [];
  let next = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const upstream = next++ % upstreams.length;
    const record: Forwarded = {
      upstream,
      ...(typeof req.headers['x-request-id'] === 'string' ? { requestId: req.headers['x-request-id'] } : {}),
    };
    forwarded.push(record);
    const target = new URL(req.url ?? '/', upstreams[upstream]);
    const client = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    const headers = {
      ...req.headers,
      host: target.host,
      'x-forwarded-for': prior ? `${String(prior)}, ${client}` : client,
    };
    const out = request(target, { method: req.method, headers, agent }, (answer) => {
      record.status = answer.statusCode;
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => {
      record.status = 502;
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream unreachable');
    });
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    forwarded,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
