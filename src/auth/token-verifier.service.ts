import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  jwtVerify,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';
import { AppConfig, ConfigError } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HubKeyService } from '../keys/hub-key.service';
import { AuthException, AuthFailureReason } from './auth.exception';
import { HubClaims, principalFromClaims } from './claims-principal';
import { Principal } from './principal';

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Verifies bearer JWTs into principals. Keys come from the council identity provider's JWKS
 * (`AUTH_JWKS_URL`), a local JWKS file (`AUTH_JWKS_FILE`), and, outside production without an external
 * provider, the hub's own key (dev tokens). Only asymmetric algorithms from `AUTH_ALGORITHMS` are accepted,
 * so `none` and HS/RS key confusion are impossible; `kid` is required; `exp` is required; `exp`, `nbf`,
 * `iss` and `aud` are checked with `AUTH_CLOCK_SKEW_SECONDS` of tolerance.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit {
  private readonly logger = new Logger(TokenVerifier.name);
  private localKeys?: JWTVerifyGetKey;
  private localKids = new Set<string>();
  private remoteKeys?: JWTVerifyGetKey;
  /** Principals of tokens verified lately, by the token's exact text, each until min(cache time, `exp`). */
  private readonly verified?: LRUCache<string, Principal>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hubKey: HubKeyService,
  ) {
    if (config.auth.verifiedTokenCacheSeconds > 0) this.verified = new LRUCache({ max: 10_000 });
  }

  async onModuleInit(): Promise<void> {
    const { auth } = this.config;
    const keys: JWK[] = [];
    if (auth.localSigning) keys.push(await this.hubKey.publicJwk());
    if (auth.jwksFile) keys.push(...(await readJwksFile(auth.jwksFile)).keys);
    for (const key of keys) {
      if (typeof key.kid !== 'string') throw new ConfigError(`Invalid configuration: AUTH_JWKS_FILE has a key without "kid"`);
      if ('d' in key || 'k' in key) throw new ConfigError(`Invalid configuration: AUTH_JWKS_FILE must hold public keys only`);
      this.localKids.add(key.kid);
    }
    if (keys.length > 0) this.localKeys = createLocalJWKSet({ keys });
    if (auth.jwksUrl) {
      this.remoteKeys = createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    }
    if (!this.localKeys && !this.remoteKeys) this.logger.warn('No token keys are configured: every authenticated request will be refused');
  }

  /**
   * The principal a bearer token proves, or an AuthException (401) saying why not. A token verified within
   * `AUTH_TOKEN_CACHE_SECONDS` is not verified again: the same text, signed by the same key, proves the same
   * claims, and its entry never outlives the token's `exp` (with the clock tolerance, as jose allows).
   */
  async verify(token: string): Promise<Principal> {
    const remembered = this.verified?.get(token);
    if (remembered) return remembered;
    if (token.length > 16_384 || !compactJws.test(token)) throw AuthException.unauthenticated('malformed-token');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw AuthException.unauthenticated('malformed-token');
    }
    if (typeof header.alg !== 'string' || !this.config.auth.algorithms.includes(header.alg)) {
      throw AuthException.unauthenticated('algorithm-not-allowed');
    }
    if (typeof header.kid !== 'string' || header.kid === '') throw AuthException.unauthenticated('missing-kid');
    const getKey = this.keysFor(header.kid);
    if (!getKey) throw AuthException.unauthenticated('unknown-kid');
    try {
      const { payload } = await jwtVerify<HubClaims>(token, getKey, {
        algorithms: this.config.auth.algorithms,
        issuer: this.config.auth.issuer,
        audience: this.config.auth.audience,
        clockTolerance: this.config.auth.clockSkewSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      const principal = deepFreeze(principalFromClaims(payload));
      this.remember(token, principal, payload.exp!);
      return principal;
    } catch (error) {
      if (error instanceof AuthException) throw error;
      const reason = failureReason(error);
      if (reason === 'key-set-unavailable') this.logger.error(`Identity provider key set unavailable: ${(error as Error).message}`);
      throw AuthException.unauthenticated(reason);
    }
  }

  private remember(token: string, principal: Principal, exp: number): void {
    if (!this.verified) return;
    const ttl = Math.min(this.config.auth.verifiedTokenCacheSeconds * 1000, (exp + this.config.auth.clockSkewSeconds) * 1000 - Date.now());
    if (ttl > 0) this.verified.set(token, principal, { ttl });
  }

  private keysFor(kid: string): JWTVerifyGetKey | undefined {
    if (this.localKeys && this.localKids.has(kid)) return this.localKeys;
    return this.remoteKeys;
  }
}

/** Shared between the requests that present one token, so nobody may change it. */
function deepFreeze<T extends object>(value: T): T {
  for (const item of Object.values(value)) if (item && typeof item === 'object') deepFreeze(item as object);
  return Object.freeze(value);
}

async function readJwksFile(path: string): Promise<JSONWebKeySet> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as JSONWebKeySet;
    if (!Array.isArray(parsed.keys)) throw new Error('no "keys" array');
    return parsed;
  } catch (error) {
    throw new ConfigError(`Invalid configuration: AUTH_JWKS_FILE ${path} is not a readable JWKS (${(error as Error).message})`);
  }
}

/** jose errors by their stable codes (class identity differs between its ESM and CommonJS builds). */
function failureReason(error: unknown): AuthFailureReason {
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf' || claim === 'iat') return 'not-yet-valid';
      if (claim === 'iss') return 'wrong-issuer';
      if (claim === 'aud') return 'wrong-audience';
      return 'missing-claim';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'bad-signature';
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'unknown-kid';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm-not-allowed';
    case 'ERR_JWKS_TIMEOUT':
    case 'ERR_JWKS_INVALID':
      return 'key-set-unavailable';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed-token';
    default:
      // A network failure fetching the remote key set, or anything unforeseen: refuse.
      return 'key-set-unavailable';
  }
}
