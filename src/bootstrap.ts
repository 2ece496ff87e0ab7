import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { checkAuditRoleAtStart, recordPrivilegedStart } from './audit/audit-role-startup';
import { AppConfig } from './config/config';
import { DatabaseRuntime } from './database/database-runtime';

export interface Hub {
  app: INestApplication;
  runtime: DatabaseRuntime;
  /** Closes the application, then the embedded database if this process started it. */
  close(): Promise<void>;
}

/** Builds the hub on an open database runtime. Used by `main.ts` and by the end-to-end tests. */
export async function createHub(config: AppConfig, runtime: DatabaseRuntime): Promise<Hub> {
  // Before the application, whose start runs the migrations: a refused role has changed nothing.
  const privileged = await checkAuditRoleAtStart(config, runtime.url);
  const adapter = new ExpressAdapter();
  configureExpress(adapter.getInstance<Express>(), config);
  const app = await NestFactory.create(AppModule.forRoot(config, runtime), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.use(securityHeaders(config));
  // Before Apollo's middleware, which the GraphQL module mounts at start (app.init) under `/graphql`.
  app.use(GRAPHQL_PATH, graphqlAtExactPath);
  if (privileged) {
    try {
      await recordPrivilegedStart(app, privileged);
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  let closed: Promise<void> | undefined;
  return {
    app,
    runtime,
    close: () => (closed ??= app.close().finally(() => runtime.close())),
  };
}

const GRAPHQL_PATH = '/graphql';

/**
 * One path per resource: `/Health` and `/health/` are not `/health`, so a path allow-listed or blocked in
 * front of the hub (a proxy, a WAF rule) means the same to the hub. Set on the router itself as well as on
 * the application, because the adapter has created the router (with Express's defaults) by now; routes
 * are registered later, at start, and take the router's settings. `trust proxy` decides whose address
 * `req.ip` is: the per-address budgets and the audit trail's addresses rest on it (TRUST_PROXY).
 */
function configureExpress(express: Express, config: AppConfig): void {
  express.set('case sensitive routing', true);
  express.set('strict routing', true);
  const router = express.router as unknown as { caseSensitive: boolean; strict: boolean };
  router.caseSensitive = true;
  router.strict = true;
  express.set('trust proxy', config.trustProxy);
}

/**
 * Express mounts middleware by prefix, so Apollo mounted at `/graphql` also answered `/graphql/x` (and,
 * before case-sensitive routing, `/GRAPHQL`): GraphQL answers only at exactly `/graphql`. Anything under
 * it is answered as Nest answers an unknown route.
 */
function graphqlAtExactPath(req: Request, res: Response, next: NextFunction): void {
  const path = req.originalUrl.split('?')[0];
  if (path === GRAPHQL_PATH) return next();
  res.status(404).json({ message: `Cannot ${req.method} ${path}`, error: 'Not Found', statusCode: 404 });
}

/**
 * Standard security headers. Outside production the Apollo sandbox page at /graphql loads its script and
 * styles from Apollo's CDN, so the content security policy allows that there; production serves no page.
 */
function securityHeaders(config: AppConfig) {
  if (config.nodeEnv === 'production') return helmet();
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'script-src': ["'self'", "'unsafe-inline'", 'https://embeddable-sandbox.cdn.apollographql.com'],
        'frame-src': ["'self'", 'https://sandbox.embed.apollographql.com'],
        'img-src': ["'self'", 'data:', 'https://apollo-server-landing-page.cdn.apollographql.com'],
        'manifest-src': ["'self'", 'https://apollo-server-landing-page.cdn.apollographql.com'],
      },
    },
  });
}
