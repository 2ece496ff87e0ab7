import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
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
  const app = await NestFactory.create(AppModule.forRoot(config, runtime), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.use(securityHeaders(config));
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
