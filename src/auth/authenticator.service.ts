import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { AuditRecorder } from '../audit/audit-recorder';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { AuthErrorCode, AuthException } from './auth.exception';
import { HUB_JWT_STRATEGY } from './hub-jwt.strategy';
import { Principal } from './principal';

const outcomeKey = Symbol('hub:auth-outcome');
type AuthenticatedRequest = Request & { user?: Principal; [outcomeKey]?: Promise<Principal> };

/** The verified principal of a request, when it has one. */
export function principalOf(req: Request): Principal | undefined {
  return (req as AuthenticatedRequest).user;
}

/**
 * Runs the passport strategy once per HTTP request (a GraphQL operation with several root fields asks
 * several times), records every failed sign-in in the audit trail as `auth.failure`, and spends one
 * request of the verified client's rate limit.
 */
@Injectable()
export class Authenticator {
  private readonly logger = new Logger(Authenticator.name);

  constructor(
    private readonly audit: AuditRecorder,
    private readonly rateLimit: RateLimitService,
  ) {}

  authenticate(req: Request, res: Response): Promise<Principal> {
    const request = req as AuthenticatedRequest;
    request[outcomeKey] ??= this.run(request, res);
    return request[outcomeKey];
  }

  private async run(req: AuthenticatedRequest, res: Response): Promise<Principal> {
    try {
      const principal = await new Promise<Principal>((resolve, reject) => {
        passport.authenticate(HUB_JWT_STRATEGY, { session: false }, (error: unknown, user?: Principal | false) => {
          if (error) reject(error);
          else if (user) resolve(user);
          else reject(AuthException.unauthenticated('missing-token'));
        })(req, res, reject);
      });
      req.user = principal;
    } catch (error) {
      const failure = error instanceof AuthException ? error : AuthException.unauthenticated('key-set-unavailable');
      if (!(error instanceof AuthException)) this.logger.error(`Authentication failed unexpectedly: ${(error as Error).message}`);
      await this.recordFailure(req, failure);
      throw failure;
    }
    // Counted per verified client, never per claimed one, so nobody can spend another client's budget.
    await this.rateLimit.consume(`${req.user.organisation}/${req.user.client ?? req.user.subject}`);
    return req.user;
  }

  private async recordFailure(req: Request, failure: AuthException): Promise<void> {
    if (failure.code !== AuthErrorCode.UNAUTHENTICATED) return;
    try {
      await this.audit.record({
        operation: 'auth.failure',
        decision: 'deny',
        reasons: [failure.reason ?? 'unknown'],
        requestId: String((req as { id?: unknown }).id ?? ''),
        // What the token claimed (unverified) about its issuer and key, so the DPO can see who tried.
        detail: { path: req.path, address: req.ip, tokenPresented: !!req.headers.authorization, ...failure.token },
      });
    } catch (error) {
      // The request is refused either way; the missing audit line must not go unnoticed.
      this.logger.error(`Could not record a failed sign-in in the audit trail: ${(error as Error).message}`);
    }
  }
}
