import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-custom';
import { AuthException } from '../engine/auth.exception';
import { Principal } from '../engine/principal';
import { TokenVerifier } from './token-verifier.service';

export const HUB_JWT_STRATEGY = 'hub-jwt';

// Exactly `Bearer <token>`: anything else (two tokens, other schemes, stray spaces) is refused as malformed.
const bearer = /^Bearer ([A-Za-z0-9_.-]+)$/;

/** The passport strategy: a bearer JWT in `Authorization`, verified by TokenVerifier. No sessions. */
@Injectable()
export class HubJwtStrategy extends PassportStrategy(Strategy, HUB_JWT_STRATEGY) {
  constructor(private readonly verifier: TokenVerifier) {
    super();
  }

  async validate(req: Request): Promise<Principal> {
    const header = req.headers.authorization;
    if (header === undefined || header === '') throw AuthException.unauthenticated('missing-token');
    const match = bearer.exec(header);
    if (!match) throw AuthException.unauthenticated('malformed-header');
    return this.verifier.verify(match[1]);
  }
}
