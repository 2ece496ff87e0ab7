import { Inject, Injectable, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ApolloFederationDriver } from '@nestjs/apollo';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Router } from 'express';
import { Pool } from 'pg';
import { AuthModule } from '../auth/auth.module';
import { DevTokenIssuer } from '../auth/dev-token.service';
import { TokenVerifier } from '../auth/token-verifier.service';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DatabaseRuntime } from '../database/database-runtime';
import { HubKeyService } from '../keys/hub-key.service';
import { KeysModule } from '../keys/keys.module';
import { consoleRouter } from './console-router';
import { CouncilSignIn } from './council-sign-in';
import { GraphqlServer, HubApi } from './hub-api';

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
    private readonly verifier: TokenVerifier,
    private readonly moduleRef: ModuleRef,
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
        idleMinutes: this.config.console.idleMinutes,
        absoluteHours: this.config.console.absoluteHours,
        secure: this.config.nodeEnv === 'production',
      },
      devTokens: this.devTokens.enabled ? this.devTokens : undefined,
      councilSignIn: this.councilSignIn(),
      verify: (token) => this.verifier.verify(token),
      councilName: this.config.console.councilName,
      // Looked up on first use: the GraphQL module starts its server after this module's start.
      api: new HubApi(
        () =>
          this.moduleRef.get<GraphQLModule<ApolloFederationDriver>>(GraphQLModule, { strict: false }).graphQlAdapter
            .instance as unknown as GraphqlServer,
      ),
    });
  }

  /** Sign-in through the registry's council issuer named by CONSOLE_OIDC_ISSUER, trusting its certificate as for its keys. */
  private councilSignIn(): CouncilSignIn | undefined {
    const oidc = this.config.console.oidc;
    if (!oidc) return undefined;
    const entry = this.config.auth.issuers.find((candidate) => candidate.issuer === oidc.issuer);
    const council = this.config.auth.councilOrganisation;
    if (!entry || entry.organisations === '*' || !entry.organisations.includes(council))
      throw new Error(
        `Invalid configuration: CONSOLE_OIDC_ISSUER ${oidc.issuer} must be an issuer of the registry (AUTH_ISSUERS_FILE or AUTH_JWKS_URL) listed for the council (${council})`,
      );
    return new CouncilSignIn(oidc, entry.keys.kind === 'remote' ? entry.keys.caFile : undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }
}

@Module({ imports: [KeysModule, AuthModule], providers: [ConsoleMount], exports: [ConsoleMount] })
export class ConsoleModule {}
