import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import { Agent, fetch } from 'undici';
import { KeySource } from './issuer-registry';

export interface KeySetBounds {
  /** A fetched set is used at most this long; less when its `Cache-Control: max-age` says so. */
  maxAgeMs: number;
  /** At most one fetch in this long, however many unknown `kid`s or failures arrive. */
  refetchMs: number;
}

/** Thrown when an issuer's key set cannot be had (network, status, not a JWKS): tokens are then refused. */
export class KeySetUnavailableError extends Error {
  override readonly name = 'KeySetUnavailableError';
}

interface FetchedSet {
  kids: ReadonlySet<string>;
  getKey: JWTVerifyGetKey;
  expiresAt: number;
}

const MAX_KEY_SET_BYTES = 256 * 1024;

/**
 * One issuer's public keys, fetched (or read) on demand within bounds: a set is used until it expires
 * (rotation: a key the provider withdrew stops working within `maxAgeMs`); an unknown `kid` triggers a
 * refetch, at most one per `refetchMs` (a new key works within seconds, and random `kid`s cannot make the
 * hub hammer the provider). Concurrent callers share one fetch. If the set cannot be had, tokens are
 * refused: a stale set is never used past its lifetime (fail closed).
 */
export class IssuerKeys {
  private current?: FetchedSet;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private readonly dispatcher?: Agent;

  constructor(
    private readonly source: Exclude<KeySource, { kind: 'hub' }> | { kind: 'static'; keys: JWK[] },
    private readonly bounds: KeySetBounds,
    private readonly now: () => number = Date.now,
  ) {
    // A provider behind the council's own certificate authority: trusted for this issuer only.
    if (source.kind === 'remote' && source.caFile)
      this.dispatcher = new Agent({ connect: { ca: readFileSync(source.caFile, 'utf8') } });
  }

  /** The key resolver to verify a token whose header names `kid`, or undefined when the issuer has no such key. */
  async keyFor(kid: string): Promise<JWTVerifyGetKey | undefined> {
    if (!this.current || this.now() >= this.current.expiresAt) await this.refresh();
    else if (!this.current.kids.has(kid) && this.mayFetch()) await this.refresh().catch(() => undefined);
    return this.current && this.current.kids.has(kid) ? this.current.getKey : undefined;
  }

  /** Whether `kid` is in the last fetched set and that set is still in date (for the verified-token cache). */
  holds(kid: string): boolean {
    return !!this.current && this.now() < this.current.expiresAt && this.current.kids.has(kid);
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
  }

  private mayFetch(): boolean {
    return this.now() - this.lastAttempt >= this.bounds.refetchMs;
  }

  private refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    if (!this.mayFetch()) {
      if (this.current && this.now() < this.current.expiresAt) return Promise.resolve();
      return Promise.reject(
        new KeySetUnavailableError('key set expired and the last fetch was too recent to try again'),
      );
    }
    this.lastAttempt = this.now();
    this.inflight = this.load()
      .then(({ set, maxAgeMs }) => {
        // Never shorter than the refetch interval, or a `no-store` set would expire before it could be replaced.
        const lifetime = Math.max(this.bounds.refetchMs, Math.min(this.bounds.maxAgeMs, maxAgeMs ?? Infinity));
        this.current = install(set, this.now() + lifetime);
      })
      .catch((error: unknown) => {
        // An expired set is dropped rather than trusted on: the provider may have withdrawn a key.
        if (this.current && this.now() >= this.current.expiresAt) this.current = undefined;
        throw error instanceof KeySetUnavailableError ? error : new KeySetUnavailableError((error as Error).message);
      })
      .finally(() => {
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async load(): Promise<{ set: JSONWebKeySet; maxAgeMs?: number }> {
    const { source } = this;
    if (source.kind === 'static') return { set: { keys: source.keys } };
    if (source.kind === 'file') return { set: parseKeySet(await readFile(source.path, 'utf8')) };
    const response = await fetch(source.uri, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      signal: AbortSignal.timeout(5000),
      redirect: 'error',
      ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
    });
    if (!response.ok) throw new KeySetUnavailableError(`key set answered HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_KEY_SET_BYTES) throw new KeySetUnavailableError('key set is too large');
    const text = await response.text();
    if (text.length > MAX_KEY_SET_BYTES) throw new KeySetUnavailableError('key set is too large');
    return { set: parseKeySet(text), maxAgeMs: cacheLifetime(response.headers.get('cache-control')) };
  }
}

/** A JWKS with public signing keys only; each key needs a `kid`. */
export function parseKeySet(text: string): JSONWebKeySet {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeySetUnavailableError('key set is not JSON');
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys)) throw new KeySetUnavailableError('key set has no "keys" array');
  for (const key of keys as JWK[]) {
    if (!key || typeof key !== 'object') throw new KeySetUnavailableError('key set holds something that is not a key');
    // Private or symmetric key material in a public set means the set is wrong: trust none of it.
    if ('d' in key || 'k' in key || key.kty === 'oct')
      throw new KeySetUnavailableError('key set must hold public keys only');
  }
  return {
    keys: (keys as JWK[]).filter(
      (key) => typeof key.kid === 'string' && key.kid !== '' && (key.use === undefined || key.use === 'sig'),
    ),
  };
}

function install(set: JSONWebKeySet, expiresAt: number): FetchedSet {
  return { kids: new Set(set.keys.map((key) => key.kid!)), getKey: createLocalJWKSet(set), expiresAt };
}

/** `max-age` in ms from Cache-Control; `no-store`/`no-cache` mean "fetch again soon" (bounded by the refetch interval). */
export function cacheLifetime(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/\bno-(store|cache)\b/i.test(header)) return 0;
  const match = /\bmax-age\s*=\s*(\d+)/i.exec(header);
  return match ? Number(match[1]) * 1000 : undefined;
}
