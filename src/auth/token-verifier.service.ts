import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HubKeyService } from '../keys/hub-key.service';
import { AuthException, AuthFailureReason, RefusedTokenFacts } from '../engine/auth.exception';
import { principalFromClaims } from './claims-principal';
import { IssuerKeys, KeySetUnavailableError } from './issuers/issuer-keys';
import { IssuerEntry } from './issuers/issuer-registry';
import { Principal } from '../engine/principal';

const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

interface Remembered {
  principal: Principal;
  keys: IssuerKeys;
  kid: string;
}

/**
 * Verifies bearer JWTs into principals against the issuer registry (docs/access-control.md). The token's
 * `iss` picks one registry entry, and only that issuer's keys, audience, lifetime and claim rules apply:
 * a key trusted for a partner can never sign for the council. Only asymmetric algorithms from
 * `AUTH_ALGORITHMS` are accepted, so `none` and HS/RS key confusion are impossible; `kid` and `exp` are
 * required; `exp`, `nbf`, `iat` and `aud` are checked with `AUTH_CLOCK_SKEW_SECONDS` of tolerance.
 */
@Injectable()
export class TokenVerifier implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly issuers = new Map<string, { entry: IssuerEntry; keys: IssuerKeys }>();
  /** Principals of tokens verified lately, by the token's exact text, each until min(cache time, `exp`, its key's presence). */
  private readonly verified?: LRUCache<string, Remembered>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hubKey: HubKeyService,
  ) {
    if (config.auth.verifiedTokenCacheSeconds > 0) this.verified = new LRUCache({ max: 10_000 });
  }

  async onModuleInit(): Promise<void> {
    const bounds = {
      maxAgeMs: this.config.auth.keySetMaxAgeSeconds * 1000,
      refetchMs: this.config.auth.keySetRefetchSeconds * 1000,
    };
    for (const entry of this.config.auth.issuers) {
      const source =
        entry.keys.kind === 'hub' ? { kind: 'static' as const, keys: [await this.hubKey.publicJwk()] } : entry.keys;
      this.issuers.set(entry.issuer, { entry, keys: new IssuerKeys(source, bounds) });
    }
    if (this.issuers.size === 0)
      this.logger.warn('No identity provider is configured: every authenticated request will be refused');
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.issuers.values()].map(({ keys }) => keys.close()));
  }

  /** The registered issuers, for start-up messages and the operator. */
  issuerNames(): string[] {
    return [...this.issuers.keys()];
  }

  /**
   * The principal a bearer token proves, or an AuthException (401) saying why not, with what the token
   * claimed about its issuer and key for the audit trail. A token verified within
   * `AUTH_TOKEN_CACHE_SECONDS` is not verified again while its key is still in its issuer's current set.
   */
  async verify(token: string): Promise<Principal> {
    const remembered = this.verified?.get(token);
    if (remembered?.keys.holds(remembered.kid)) return remembered.principal;
    if (remembered) this.verified!.delete(token);
    if (token.length > 16_384 || !compactJws.test(token)) throw AuthException.unauthenticated('malformed-token');
    let header: ReturnType<typeof decodeProtectedHeader>;
    let unverified: JWTPayload;
    try {
      header = decodeProtectedHeader(token);
      unverified = decodeJwt(token);
    } catch {
      throw AuthException.unauthenticated('malformed-token');
    }
    const facts: RefusedTokenFacts = { ...claimedText('issuer', unverified.iss), ...claimedText('keyId', header.kid) };
    const refuse = (reason: AuthFailureReason) => AuthException.unauthenticated(reason, facts);
    if (typeof header.alg !== 'string' || !this.config.auth.algorithms.includes(header.alg))
      throw refuse('algorithm-not-allowed');
    if (typeof header.kid !== 'string' || header.kid === '') throw refuse('missing-kid');
    const issuer = typeof unverified.iss === 'string' ? this.issuers.get(unverified.iss) : undefined;
    if (!issuer) throw refuse('unknown-issuer');
    try {
      const getKey = await issuer.keys.keyFor(header.kid);
      if (!getKey) throw refuse('unknown-kid');
      const { payload } = await jwtVerify(token, getKey, {
        algorithms: this.config.auth.algorithms,
        issuer: issuer.entry.issuer,
        audience: issuer.entry.audience,
        clockTolerance: this.config.auth.clockSkewSeconds,
        requiredClaims: ['exp'],
      });
      this.checkLifetime(payload, issuer.entry);
      const principal = deepFreeze(
        principalFromClaims(payload, issuer.entry, {
          keyId: header.kid,
          councilOrganisation: this.config.auth.councilOrganisation,
        }),
      );
      this.remember(token, { principal, keys: issuer.keys, kid: header.kid }, payload.exp!);
      return principal;
    } catch (error) {
      if (error instanceof AuthException) {
        error.token = { ...facts, ...error.token };
        throw error;
      }
      const reason = failureReason(error);
      if (reason === 'key-set-unavailable')
        this.logger.error(`Key set of ${issuer.entry.issuer} unavailable: ${(error as Error).message}`);
      throw refuse(reason);
    }
  }

  /** A token may live at most the issuer's maximum (by `exp - iat`, or `exp - now` without `iat`), and not be issued in the future. */
  private checkLifetime(payload: JWTPayload, entry: IssuerEntry): void {
    const now = Math.floor(Date.now() / 1000);
    const skew = this.config.auth.clockSkewSeconds;
    const exp = payload.exp!;
    if (payload.iat !== undefined && payload.iat > now + skew) throw AuthException.unauthenticated('issued-in-future');
    const lifetime = exp - (payload.iat ?? now);
    if (lifetime > entry.maxTokenLifetimeSeconds + skew) throw AuthException.unauthenticated('lifetime-too-long');
  }

  private remember(token: string, value: Remembered, exp: number): void {
    if (!this.verified) return;
    const ttl = Math.min(
      this.config.auth.verifiedTokenCacheSeconds * 1000,
      (exp + this.config.auth.clockSkewSeconds) * 1000 - Date.now(),
    );
    if (ttl > 0) this.verified.set(token, value, { ttl });
  }
}

/** An unverified claim kept for the audit trail only when it is short plain text (it is the attacker's). */
function claimedText(name: keyof RefusedTokenFacts, value: unknown): RefusedTokenFacts {
  // eslint-disable-next-line no-control-regex
  return typeof value === 'string' && value.length > 0 && value.length <= 256 && !/[\u0000-\u001f\u007f]/.test(value)
    ? { [name]: value }
    : {};
}

/** Shared between the requests that present one token, so nobody may change it. */
function deepFreeze<T extends object>(value: T): T {
  for (const item of Object.values(value)) if (item && typeof item === 'object') deepFreeze(item as object);
  return Object.freeze(value);
}

/** jose errors by their stable codes (class identity differs between its ESM and CommonJS builds). */
function failureReason(error: unknown): AuthFailureReason {
  if (error instanceof KeySetUnavailableError) return 'key-set-unavailable';
  const { code, claim } = error as { code?: string; claim?: string };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf') return 'not-yet-valid';
      if (claim === 'iat') return 'issued-in-future';
      if (claim === 'iss') return 'unknown-issuer';
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
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'malformed-token';
    default:
      // Anything unforeseen: refuse.
      return 'key-set-unavailable';
  }
}
