import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { HouseholdsModule } from '../households/households.module';
import { LifeEventAlertsService } from './alerts/life-event-alerts.service';
import { LifeEventDeliveryModule } from './delivery/life-event-delivery.module';
import { LifeEventFanOut } from './intake/life-event-fan-out';
import { LifeEventIntakeService } from './intake/life-event-intake.service';
import { LifeEventReceiptsService } from './intake/life-event-receipts.service';
import { LifeEventsResolver } from './life-events.resolver';
import { LifeEventSubscriptionsService } from './subscriptions/life-event-subscriptions.service';

/**
 * Tell Us Once (issue #18, docs/life-events.md): intake, withdrawal, the steward's match decision, receipts,
 * alerts and subscriptions. The index reacts through the identity module (ReportedIdentityService, global)
 * and the households module (HouseholdsService); case holders come from access's CaseAssignmentsService and
 * agreements from its AgreementsService. Deliveries leave through the LifeEventOutbox port of the delivery
 * module (delivery/), whose workers take them to each recipient.
 */
@Module({
  imports: [AccessModule, HouseholdsModule, LifeEventDeliveryModule],
  providers: [
    LifeEventFanOut,
    LifeEventAlertsService,
    LifeEventIntakeService,
    LifeEventReceiptsService,
    LifeEventSubscriptionsService,
    LifeEventsResolver,
  ],
  exports: [LifeEventIntakeService, LifeEventSubscriptionsService],
})
export class LifeEventsModule {}
