import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { DatabaseRuntime } from '../database/database-runtime';
import { HouseholdsModule } from '../households/households.module';
import { LifeEventAlertsService } from './alerts/life-event-alerts.service';
import { LifeEventOutbox } from './delivery/life-event-outbox';
import { PgBossLifeEventOutbox } from './delivery/pg-boss-outbox';
import { LifeEventFanOut } from './intake/life-event-fan-out';
import { LifeEventIntakeService } from './intake/life-event-intake.service';
import { LifeEventReceiptsService } from './intake/life-event-receipts.service';
import { LifeEventsResolver } from './life-events.resolver';
import { LifeEventSubscriptionsService } from './subscriptions/life-event-subscriptions.service';

/**
 * Until the delivery module (`delivery/life-event-delivery.module.ts`, with its settings) is merged, the
 * outbox is provided here with the queue's defaults; that module then replaces this provider.
 */
const outboxProvider = {
  provide: LifeEventOutbox,
  useFactory: (runtime: DatabaseRuntime) =>
    new PgBossLifeEventOutbox(runtime, { retryLimit: 8, retryDelaySeconds: 5, attemptTimeoutSeconds: 60 }),
  inject: [DatabaseRuntime],
};

/**
 * Tell Us Once (issue #18, docs/life-events.md): intake, withdrawal, the steward's match decision, receipts,
 * alerts and subscriptions. The index reacts through the identity module (ReportedIdentityService, global)
 * and the households module (HouseholdsService); case holders come from access's CaseAssignmentsService and
 * agreements from its AgreementsService. Deliveries leave through the LifeEventOutbox port.
 */
@Module({
  imports: [AccessModule, HouseholdsModule],
  providers: [
    outboxProvider,
    LifeEventFanOut,
    LifeEventAlertsService,
    LifeEventIntakeService,
    LifeEventReceiptsService,
    LifeEventSubscriptionsService,
    LifeEventsResolver,
  ],
  exports: [LifeEventIntakeService, LifeEventSubscriptionsService, LifeEventOutbox],
})
export class LifeEventsModule {}
