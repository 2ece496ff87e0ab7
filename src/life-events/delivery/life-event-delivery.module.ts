import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { DatabaseRuntime } from '../../database/database-runtime';
import { SourcesModule } from '../../sources/sources.module';
import { LifeEventDeliveryRetryResolver } from './delivery-retry.resolver';
import { LifeEventDeliveryRetry } from './delivery-retry.service';
import { LifeEventDeliveryWorkers } from './delivery-workers.service';
import { LifeEventDeliverer } from './life-event-deliverer';
import { LifeEventOutbox } from './life-event-outbox';
import { PgBossLifeEventOutbox } from './pg-boss-outbox';

/** Seconds a job may stay active beyond its attempt's own timeout before its worker is taken for dead. */
const JOB_GRACE_SECONDS = 10;

/**
 * Tell Us Once delivery (docs/life-events.md): the outbox (`LifeEventOutbox`, on pg-boss, for the
 * intake's transaction), the workers of every hub instance, and the retry of dead letters.
 */
@Module({
  imports: [SourcesModule],
  providers: [
    {
      provide: PgBossLifeEventOutbox,
      inject: [DatabaseRuntime, APP_CONFIG],
      useFactory: (runtime: DatabaseRuntime, config: AppConfig) =>
        new PgBossLifeEventOutbox(runtime, {
          retryLimit: config.lifeEventDelivery.attempts - 1,
          retryDelaySeconds: config.lifeEventDelivery.retryDelaySeconds,
          attemptTimeoutSeconds: config.lifeEventDelivery.attemptTimeoutSeconds + JOB_GRACE_SECONDS,
          maintenanceIntervalSeconds: config.sources.jobQueueMaintenanceSeconds,
        }),
    },
    { provide: LifeEventOutbox, useExisting: PgBossLifeEventOutbox },
    LifeEventDeliverer,
    LifeEventDeliveryWorkers,
    LifeEventDeliveryRetry,
    LifeEventDeliveryRetryResolver,
  ],
  exports: [LifeEventOutbox],
})
export class LifeEventDeliveryModule {}
