import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { AppConfig } from '../config/config';
import { LOCAL_TOKEN_AUDIENCE, LOCAL_TOKEN_ISSUER, MAX_DEV_TOKEN_TTL } from './auth-settings';
import { APP_CONFIG } from '../config/config.module';
import { HUB_KEY_ALGORITHM, HubKeyService } from '../keys/hub-key.service';
import { AuthErrorCode, AuthException } from '../engine/auth.exception';
import { Role } from '../engine/principal';

export interface DevTokenRequest {
  subject: string;
  organisation: string;
  roles: Role[];
  team?: string;
  /** OAuth client id (`azp`), as a partner's machine token carries. */
  client?: string;
  /** Lifetime in seconds; at most a day. */
  ttlSeconds?: number;
}

export { MAX_DEV_TOKEN_TTL };

/**
 * Issues tokens signed with the hub's own key, for development and demonstrations. Refused in production,
 * and by default whenever an identity provider is configured (`AUTH_DEV_TOKENS=true` keeps them on beside it,
 * outside production). The dev issuer is held to the same role rules as any other (docs/access-control.md).
 */
@Injectable()
export class DevTokenIssuer {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hubKey: HubKeyService,
  ) {}

  get enabled(): boolean {
    return this.config.auth.localSigning;
  }

  async issue(request: DevTokenRequest): Promise<string> {
    if (!this.enabled) {
      throw new AuthException(
        AuthErrorCode.LOCAL_SIGNING_DISABLED,
        this.config.nodeEnv === 'production'
          ? 'Local token signing is refused when NODE_ENV=production: tokens come from the identity provider'
          : 'Local token signing is off because an identity provider is configured (AUTH_ISSUERS_FILE or AUTH_JWKS_URL); AUTH_DEV_TOKENS=true turns it on beside it',
      );
    }
    const ttl = request.ttlSeconds ?? 3600;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_DEV_TOKEN_TTL)
      throw new RangeError(`ttl must be 1 s to ${MAX_DEV_TOKEN_TTL} s`);
    const { key, kid } = await this.hubKey.privateKey();
    return new SignJWT({
      org: request.organisation,
      roles: request.roles,
      ...(request.team ? { team: request.team } : {}),
      ...(request.client ? { azp: request.client } : {}),
    })
      .setProtectedHeader({ alg: HUB_KEY_ALGORITHM, kid, typ: 'JWT' })
      .setSubject(request.subject)
      .setIssuer(LOCAL_TOKEN_ISSUER)
      .setAudience(LOCAL_TOKEN_AUDIENCE)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${ttl}s`)
      .setJti(randomUUID())
      .sign(key);
  }
}

/** `90`, `90s`, `15m`, `8h`, `1d` → seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d{1,6})([smhd]?)$/.exec(text.trim());
  if (!match) throw new RangeError(`ttl "${text}" is not a duration such as 3600, 30m, 8h or 1d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds < 1 || seconds > MAX_DEV_TOKEN_TTL)
    throw new RangeError(`ttl must be between 1 s and ${MAX_DEV_TOKEN_TTL / 3600} h`);
  return seconds;
}
