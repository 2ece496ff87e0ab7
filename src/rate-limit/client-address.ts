import { isIPv4, isIPv6 } from 'node:net';
import type { Request } from 'express';

/**
 * The client's address as Express gives it: the socket's peer, or with `trust proxy` (TRUST_PROXY) the
 * address the trusted proxies forwarded. An IPv4 address reached over IPv6 (`::ffff:a.b.c.d`) is given as
 * IPv4, so that one client is one key whichever way it connected.
 */
export function clientAddress(req: Request): string {
  const address = req.ip ?? req.socket?.remoteAddress ?? 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1] : address;
}

/** The path the client asked for, as it sent it (`req.path` is relative to where a middleware is mounted). */
export function requestPath(req: Request): string {
  return (req.originalUrl ?? req.url).split('?')[0];
}

/**
 * What a per-address budget counts against: an IPv4 address, or an IPv6 /64. One subscriber is usually
 * given a whole /64, so counting single IPv6 addresses would let one client take a fresh budget for every
 * request.
 */
export function addressKey(address: string): string {
  if (isIPv4(address)) return address;
  const bare = address.split('%')[0];
  if (!isIPv6(bare)) return address;
  const groups = expand(bare);
  return `${groups.slice(0, 4).join(':')}::/64`;
}

function expand(address: string): string[] {
  let text = address.toLowerCase();
  // An embedded IPv4 tail (::a.b.c.d) is two groups.
  const tail = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number);
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest === undefined ? [] : rest ? rest.split(':') : [];
  const missing = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.replace(/^0+(?=.)/, ''));
}
