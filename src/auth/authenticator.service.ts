import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Request, Response } from 'express';
import passport from 'passport';
import { requestIdOf } from '../common/request-id';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { addressKey, clientAddress, requestPath } from '../rate-limit/client-address';
import { Budget, RateLimitedException, RateLimitService, Spend } from '../rate-limit/rate-limit.service';
import { RefusalAuditService } from '../rate-limit/refusal-audit.service';
import { AuthErrorCode, AuthException } from '../engine/auth.exception';
import { HUB_JWT_STRATEGY } from './hub-jwt.strategy';
import { Principal } from '../engine/principal';
import { HubRequestContext, RequestSlot } from '../engine/request-context';

type AuthenticatedRequest = Request & { user?: Principal };

/** A GraphQL request's authentication, kept in its context: its plugins and root fields share one outcome. */
const AUTHENTICATION = new RequestSlot<Promise<Principal>>('auth.authentication');

/**
 * Runs the passport strategy once per HTTP request and spends one request of the verified client's rate
 * limit. A GraphQL operation asks several times (its plugins, each root field's guard): the outcome, success
 * or refusal, is kept in the request's context (`HubRequestContext`) and given to each. A REST request is
 * authenticated once, by its route's guard.
 *
 * Failed sign-ins are counted per client address (an IPv6 /64) in a budget shared by every instance:
 * within it each is answered 401 and audited as `auth.failure` with its reason; beyond it, until the window
 * ends, each is answered 429 and only counted, into one `auth.failure.aggregate` event per window. A flood
 * of bad tokens is refused and accounted for without writing an event per request to a trail kept for
 * years. A valid token from the same address is still served: a shared address (a partner's gateway, the
 * council's proxy) must not let one bad client lock out the rest, and each verified client has its own
 * budget. A request over that budget is answered 429 and audited as `rate-limit.refused` (counted the same
 * way beyond `REFUSALS_AUDITED_PER_WINDOW`).
 */
@Injectable()
export class Authenticator implements OnModuleInit {
  private readonly logger = new Logger(Authenticator.name);
  private failures?: Budget;

  constructor(
    private readonly rateLimit: RateLimitService,
    private readonly refusals: RefusalAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { authFailuresPerWindow, windowSeconds } = this.config.rateLimit;
    this.failures = this.rateLimit.budget({
      name: 'auth-failure',
      points: authFailuresPerWindow,
      durationSeconds: windowSeconds,
    });
  }

  /** The request's verified principal: a GraphQL request's context, or a REST request's `req` and `res`. */
  authenticate(request: HubRequestContext | { req: Request; res: Response }): Promise<Principal> {
    if (request instanceof HubRequestContext)
      return request.slot(AUTHENTICATION, () => this.run(request.req as AuthenticatedRequest, request.res));
    return this.run(request.req as AuthenticatedRequest, request.res);
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
      if (!(error instanceof AuthException))
        this.logger.error(`Authentication failed unexpectedly: ${(error as Error).message}`);
      throw await this.refuse(req, failure);
    }
    // Counted per verified client, never per claimed one, so nobody can spend another client's budget.
    const client = `${req.user.organisation}/${req.user.client ?? req.user.subject}`;
    try {
      await this.rateLimit.consume(client);
    } catch (error) {
      if (error instanceof RateLimitedException) await this.recordRateLimited(req, req.user, client, error);
      throw error;
    }
    return req.user;
  }

  /** Audits a failed sign-in (one by one or counted, see above) and gives the answer: 401, or 429 beyond the address's budget. */
  private async refuse(req: Request, failure: AuthException): Promise<AuthException | RateLimitedException> {
    if (failure.code !== AuthErrorCode.UNAUTHENTICATED) return failure;
    const address = clientAddress(req);
    const key = addressKey(address);
    let spend: Spend | undefined;
    try {
      spend = await this.failures!.spend(key);
    } catch (error) {
      // Cannot count: the request is refused anyway, and audited one by one.
      this.logger.warn(`failed sign-ins could not be counted: ${(error as Error).message}`);
    }
    const within = !spend || spend.allowed;
    const reason = failure.reason ?? 'unknown';
    await this.refusals.refuse(
      {
        operation: 'auth.failure',
        decision: 'deny',
        reasons: [reason],
        requestId: requestIdOf(req),
        // What the token claimed (unverified) about its issuer and key, so the DPO can see who tried.
        detail: {
          path: requestPath(req),
          address,
          tokenPresented: !!req.headers.authorization,
          ...(within ? {} : { answered: 429 }),
          ...failure.token,
        },
      },
      { key, reason, detail: { address: key, answered: 429 }, individually: within, windowEndsAt: spend?.windowEndsAt },
    );
    return within
      ? failure
      : new RateLimitedException(
          spend!.retryAfterSeconds,
          spend!.consumed - this.config.rateLimit.authFailuresPerWindow,
        );
  }

  private recordRateLimited(
    req: Request,
    principal: Principal,
    client: string,
    refused: RateLimitedException,
  ): Promise<void> {
    return this.refusals.refuse(
      {
        actor: principal,
        operation: 'rate-limit.refused',
        decision: 'deny',
        reasons: [`more than ${this.config.rateLimit.perMinute} requests a minute`],
        requestId: requestIdOf(req),
        detail: { path: requestPath(req), address: clientAddress(req), retryAfterSeconds: refused.retryAfterSeconds },
      },
      {
        key: client,
        reason: 'requests-per-minute',
        detail: { client },
        individually: refused.refusedInWindow <= this.config.rateLimit.refusalsAuditedPerWindow,
        windowEndsAt: Date.now() + refused.retryAfterSeconds * 1000,
      },
    );
  }
}
