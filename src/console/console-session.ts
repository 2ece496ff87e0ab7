import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type { Pool } from 'pg';
import { consoleSessionStore } from './session-store';

/** What the console keeps of a signed-in user, server-side, in PostgreSQL (never in the cookie). */
export interface ConsoleUser {
  /** The token the console calls the hub's API with: the user's own (sign-in) or a persona's dev token. */
  token: string;
  /** When the token stops working (seconds since the epoch); the user signs in again after. */
  tokenExpiresAt: number;
  name: string;
  subject: string;
  organisation: string;
  roles: string[];
  team?: string;
  /** How they signed in: `oidc`, or `persona` outside production. */
  via: 'oidc' | 'persona';
}

declare module 'express-session' {
  interface SessionData {
    user?: ConsoleUser;
    /** When the user signed in (ms): the absolute timeout counts from here. */
    signedInAt?: number;
    purpose?: string;
    /** The purpose's name, as the API listed it when it was chosen ("Early help"), for the pages. */
    purposeName?: string;
    caseReference?: string;
    /** The break-glass grants the user holds, by person id: the grant's id and when it ends (ms). */
    breakGlass?: Record<string, { id: string; expiresAt: number }>;
    /** Where to go after signing in. */
    returnTo?: string;
    /** A sign-in with the identity provider under way. */
    oidc?: import('./council-sign-in').PendingSignIn;
  }
}

export interface SessionSettings {
  /** Signs the session cookie: derived from the hub's key, so every instance with that key accepts it. */
  secret: Buffer;
  /** Minutes without a request after which the session ends. */
  idleMinutes: number;
  /** Hours after sign-in after which the session ends whatever happens. */
  absoluteHours: number;
  /** Cookies only over HTTPS (production). */
  secure: boolean;
}

export const SESSION_COOKIE = 'hub_console';

/**
 * Sessions in PostgreSQL (`console_session`, shared by every hub instance) behind an HttpOnly, SameSite=Lax
 * cookie (Secure in production). Lax, not Strict: the identity provider's redirect back after sign-in is a
 * top-level navigation from another site, and must carry the cookie. Idle timeout by a rolling cookie and
 * the store's expiry (pushed back at most once a minute: session-store.ts); absolute timeout from sign-in,
 * checked on every request.
 */
export function consoleSessions(pool: Pool, settings: SessionSettings): RequestHandler[] {
  const store = consoleSessionStore(pool);
  const idleMs = settings.idleMinutes * 60_000;
  const sessions = session({
    name: SESSION_COOKIE,
    secret: settings.secret.toString('base64'),
    store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    unset: 'destroy',
    proxy: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: settings.secure, maxAge: idleMs, path: '/console' },
  });
  const absolute = (req: Request, _res: Response, next: NextFunction) => {
    const signedInAt = req.session?.signedInAt;
    const expired =
      (signedInAt !== undefined && Date.now() - signedInAt > settings.absoluteHours * 3_600_000) ||
      (req.session?.user !== undefined && req.session.user.tokenExpiresAt * 1000 <= Date.now());
    if (!expired) return next();
    req.session.regenerate((error) => next(error));
  };
  return [sessions, absolute];
}
