import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { HubExceptionFilter } from './common/hub-exception.filter';
import { LoggingModule } from './common/logging.module';
import { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { ConsoleModule } from './console/console.module';
import { DatabaseRuntime } from './database/database-runtime';
import { DatabaseModule } from './database/database.module';
import { HubGraphqlModule } from './graphql/graphql.module';
import { HealthModule } from './health/health.module';
import { HouseholdsModule } from './households/households.module';
import { HubInfoModule } from './hub-info/hub-info.module';
import { IdentityModule } from './identity/identity.module';
import { KeysModule } from './keys/keys.module';
import { LifeEventDeliveryModule } from './life-events/delivery/life-event-delivery.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { SingleViewModule } from './single-view/single-view.module';
import { SandboxModule } from './sandbox/sandbox.module';
import { SourcesModule } from './sources/sources.module';
import { EligibilityModule } from './single-view/eligibility/eligibility.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, runtime: DatabaseRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule.forRoot(runtime, config.logLevel),
        MetricsModule,
        HubGraphqlModule,
        HealthModule,
        KeysModule,
        AuditModule,
        AuthModule,
        AccessModule,
        RateLimitModule,
        SourcesModule,
        // The in-process sandbox sources, in sandbox mode only.
        ...(config.sources.sandbox ? [SandboxModule] : []),
        IdentityModule,
        HouseholdsModule,
        SingleViewModule,
        HubInfoModule,
        EligibilityModule,
        // Tell Us Once delivery (until the life-events module, which imports it, is wired in).
        LifeEventDeliveryModule,
        ConsoleModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: HubExceptionFilter }],
    };
  }
}
