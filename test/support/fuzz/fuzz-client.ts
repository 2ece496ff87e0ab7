import { request } from 'node:http';
import { HttpAnswer } from './response-checks';

export interface RawRequest {
  method: string;
  /** Path and query string exactly as sent (possibly malformed percent-encoding). */
  path: string;
  headers?: Record<string, string>;
  /** Sent as is: a string as UTF-8, a Buffer byte for byte (overlong sequences, invalid UTF-8). */
  body?: string | Buffer;
}

/**
 * One request to the hub on loopback with node's own HTTP client, so the suite controls every byte (what
 * supertest's JSON encoder would refuse or change), with a bound: past `boundMs` the request is abandoned
 * and reported as a hang (`elapsedMs` undefined).
 */
const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function send(port: number, req: RawRequest, boundMs: number): Promise<HttpAnswer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.path,
        agent: false,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...req.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            elapsedMs: performance.now() - started,
            requestId: header(res.headers['x-request-id']),
          });
        });
        res.on('error', (error) => finish(error));
      },
    );
    const finish = (error: Error) => {
      clearTimeout(timer);
      // The hub dropped the connection without an answer: as bad as a 500 for the client.
      resolve({ status: 0, text: `connection error: ${error.message}`, elapsedMs: performance.now() - started });
    };
    const timer = setTimeout(() => {
      outgoing.destroy();
      resolve({ status: 0, text: '' });
    }, boundMs);
    // After the bound the request is destroyed: its error comes after the promise is settled and changes nothing.
    outgoing.on('error', finish);
    outgoing.end(body);
  });
}
