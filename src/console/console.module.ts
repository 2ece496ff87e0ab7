import { Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Router } from 'express';
import { Pool } from 'pg';
import { AuthModule } from '../auth/auth.module';
import { DevTokenIssuer } from '../auth/dev-token.service';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DatabaseRuntime } from '../database/database-runtime';
import { HubKeyService } from '../keys/hub-key.service';
import { KeysModule } from '../keys/keys.module';
import { consoleRouter } from './console-router';

/** Minutes without a request before a console session ends. */
export const CONSOLE_IDLE_MINUTES = 30;
/** Hours after sign-in before a console session ends, active or not (a working day). */
export const CONSOLE_ABSOLUTE_HOURS = 10;

/**
 * Mounts the console's router at `/console` on the HTTP server at start: after Nest's own routes (none of
 * which is under /console) and before its not-found handler.
 */
@Injectable()
export class ConsoleMount implements OnModuleInit, OnModuleDestroy {
  private readonly pool: Pool;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    runtime: DatabaseRuntime,
    private readonly keys: HubKeyService,
    private readonly devTokens: DevTokenIssuer,
    private readonly http: HttpAdapterHost,
  ) {
    this.pool = new Pool({ connectionString: runtime.url, max: 4, application_name: 'hub-console' });
    // An idle connection the server closed (a restart) is replaced on next use, not a crash.
    this.pool.on('error', () => undefined);
  }

  async onModuleInit(): Promise<void> {
    const server = this.http.httpAdapter?.getInstance<{ use(path: string, router: Router): void }>();
    server?.use('/console', await this.router());
  }

  async router(): Promise<Router> {
    return consoleRouter({
      pool: this.pool,
      session: {
        secret: await this.keys.derivedSecret('console-session/v1'),
        idleMinutes: CONSOLE_IDLE_MINUTES,
        absoluteHours: CONSOLE_ABSOLUTE_HOURS,
        secure: this.config.nodeEnv === 'production',
      },
      devTokens: this.devTokens.enabled ? this.devTokens : undefined,
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

@Module({ imports: [KeysModule, AuthModule], providers: [ConsoleMount], exports: [ConsoleMount] })
export class ConsoleModule {}
