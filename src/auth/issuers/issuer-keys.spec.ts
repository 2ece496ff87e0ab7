import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { cacheLifetime, IssuerKeys, KeySetUnavailableError, parseKeySet } from './issuer-keys';

/** A provider's key set on loopback, whose keys, status and Cache-Control the test sets; it counts fetches. */
class KeySetServer {
  keys: JWK[] = [];
  status = 200;
  cacheControl?: string;
  fetches = 0;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((_req, res) => {
      this.fetches += 1;
      res.writeHead(this.status, {
        'content-type': 'application/json',
        ...(this.cacheControl ? { 'cache-control': this.cacheControl } : {}),
      });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/jwks`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }
}

const publicKey = async (kid: string) => ({
  ...(await exportJWK((await generateKeyPair('ES256')).publicKey)),
  kid,
  alg: 'ES256',
});

describe('IssuerKeys: bounded key-set caching', () => {
  const server = new KeySetServer();
  let uri: string;
  let clock = 0;
  const bounds = { maxAgeMs: 300_000, refetchMs: 5_000 };
  const keys = () => new IssuerKeys({ kind: 'remote', uri }, bounds, () => clock);

  beforeAll(async () => {
    uri = await server.start();
  });
  afterAll(() => server.stop());
  beforeEach(async () => {
    clock = 1_000_000;
    server.fetches = 0;
    server.status = 200;
    server.cacheControl = undefined;
    server.keys = [await publicKey('k1')];
  });

  it('accepts a new key within the refetch interval, and no sooner than it allows', async () => {
    const issuer = keys();
    expect(await issuer.keyFor('k1')).toBeDefined();
    server.keys = [server.keys[0], await publicKey('k2')];
    clock += 1_000;
    // Too soon after the last fetch: not asked again, so the new key is not known yet.
    expect(await issuer.keyFor('k2')).toBeUndefined();
    expect(server.fetches).toBe(1);
    clock += 4_000;
    expect(await issuer.keyFor('k2')).toBeDefined();
    expect(server.fetches).toBe(2);
  });

  it('asks the provider at most once per interval however many unknown kids arrive', async () => {
    const issuer = keys();
    await issuer.keyFor('k1');
    for (let i = 0; i < 50; i++) {
      clock += 100;
      expect(await issuer.keyFor(`random-${i}`)).toBeUndefined();
    }
    // 5 s of random kids: at most one more fetch.
    expect(server.fetches).toBeLessThanOrEqual(2);
  });

  it('shares one fetch between concurrent callers', async () => {
    const issuer = keys();
    await Promise.all(Array.from({ length: 20 }, () => issuer.keyFor('k1')));
    expect(server.fetches).toBe(1);
  });

  it('stops trusting a withdrawn key once the set expires (default bound 5 min)', async () => {
    const issuer = keys();
    await issuer.keyFor('k1');
    server.keys = [await publicKey('k2')];
    clock += 299_000;
    expect(issuer.holds('k1')).toBe(true);
    expect(await issuer.keyFor('k1')).toBeDefined();
    clock += 1_000;
    expect(issuer.holds('k1')).toBe(false);
    expect(await issuer.keyFor('k1')).toBeUndefined();
    expect(await issuer.keyFor('k2')).toBeDefined();
  });

  it('follows a shorter Cache-Control max-age, but never below the refetch interval', async () => {
    server.cacheControl = 'public, max-age=60';
    const issuer = keys();
    await issuer.keyFor('k1');
    clock += 60_000;
    expect(issuer.holds('k1')).toBe(false);
    server.cacheControl = 'no-store';
    await issuer.keyFor('k1');
    clock += 4_999;
    expect(issuer.holds('k1')).toBe(true);
    expect(cacheLifetime('max-age=7200')).toBe(7_200_000);
  });

  it('fails closed when the set expires and cannot be fetched again', async () => {
    const issuer = keys();
    await issuer.keyFor('k1');
    server.status = 503;
    clock += 300_000;
    await expect(issuer.keyFor('k1')).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(issuer.holds('k1')).toBe(false);
    // Still bounded: a second request within the interval does not fetch again.
    await expect(issuer.keyFor('k1')).rejects.toBeInstanceOf(KeySetUnavailableError);
    expect(server.fetches).toBe(2);
  });

  it('refuses a set holding private or symmetric key material, and keeps only signing keys with a kid', () => {
    expect(() => parseKeySet(JSON.stringify({ keys: [{ kty: 'EC', kid: 'a', d: 'secret' }] }))).toThrow(
      /public keys only/,
    );
    expect(() => parseKeySet(JSON.stringify({ keys: [{ kty: 'oct', kid: 'a', k: 'c2VjcmV0' }] }))).toThrow(
      /public keys only/,
    );
    expect(() => parseKeySet('<html>')).toThrow(/not JSON/);
    const kept = parseKeySet(
      JSON.stringify({ keys: [{ kty: 'EC', kid: 'a' }, { kty: 'EC' }, { kty: 'EC', kid: 'enc', use: 'enc' }] }),
    );
    expect(kept.keys.map((key) => key.kid)).toEqual(['a']);
  });
});
