import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuditRecorder } from '../engine/audit-recorder';
import { CurrentPrincipal } from '../engine/current-principal.decorator';
import { Policy, Roles } from '../engine/policy/policy.decorator';
import { Principal, Role } from '../engine/principal';
import type { HubRequestContext } from '../engine/request-context';
import { LifeEventAlertsService, LifeEventNotification } from './alerts/life-event-alerts.service';
import { LifeEventIntakeService } from './intake/life-event-intake.service';
import { DeliveryReceipt, LifeEventReceiptsService } from './intake/life-event-receipts.service';
import { eventPersons, LifeEventRow } from './intake/life-event-row';
import {
  LifeEventFilterInput,
  LifeEventModel,
  LifeEventNotificationModel,
  LifeEventPageModel,
  LifeEventSubscriptionModel,
  ReportLifeEventInput,
  SubscribeToLifeEventsInput,
} from './life-event.models';
import type { LifeEventReport } from './life-event-rules';
import { LifeEventSubscriptionsService } from './subscriptions/life-event-subscriptions.service';

/** Who may read receipts: the informants, the DPO, admins, and data stewards (the matches they decide). */
export const RECEIPT_READERS = [Role.Registrar, Role.Dpo, Role.Admin, Role.DataSteward];

/**
 * Tell Us Once (docs/life-events.md): reporting and withdrawing life events, the data steward's decision on
 * an uncertain match, receipts with each delivery's status, alerts to case holders (under the policy
 * decision point, as any view of a person), and the subscriptions (admin).
 */
@Resolver()
export class LifeEventsResolver {
  constructor(
    private readonly intake: LifeEventIntakeService,
    private readonly receipts: LifeEventReceiptsService,
    private readonly alerts: LifeEventAlertsService,
    private readonly subscriptions: LifeEventSubscriptionsService,
    private readonly audit: AuditRecorder,
  ) {}

  @Mutation(() => LifeEventModel, {
    description:
      'Report a death, birth, change of address or change of name once: every subscribed service and partner an agreement lets hear of it is told, and the case holders are alerted. A repeat returns the first event (repeat: true) and delivers nothing again.',
  })
  @Roles(Role.Registrar, Role.AccountManager)
  async reportLifeEvent(
    @Args('input') input: ReportLifeEventInput,
    @CurrentPrincipal() actor: Principal,
    @Context() context: HubRequestContext,
  ): Promise<LifeEventModel> {
    const { event, repeat } = await this.intake.report(input as LifeEventReport, actor, context.requestId);
    return forReporter(await this.receipt(event, repeat), actor);
  }

  @Mutation(() => LifeEventModel, {
    description: 'Withdraw a wrongly reported event: every recipient told of it is sent a retraction.',
  })
  @Roles(Role.Registrar, Role.AccountManager, Role.Dpo)
  async withdrawLifeEvent(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { description: 'Why it was wrong (kept in the audit trail).' })
    reason: string,
    @CurrentPrincipal() actor: Principal,
    @Context() context: HubRequestContext,
  ): Promise<LifeEventModel> {
    return forReporter(await this.receipt(await this.intake.withdraw(id, reason, actor, context.requestId)), actor);
  }

  @Mutation(() => LifeEventModel, {
    description: 'A report by description (AWAITING_MATCH) is about this person: it is accepted and delivered.',
  })
  @Roles(Role.DataSteward)
  async acceptLifeEventMatch(
    @Args('id', { type: () => ID }) id: string,
    @Args('personId', { type: () => ID }) personId: string,
    @CurrentPrincipal() actor: Principal,
    @Context() context: HubRequestContext,
    @Args('note', { nullable: true }) note?: string,
  ): Promise<LifeEventModel> {
    return this.receipt(await this.intake.decideMatch(id, personId, note, actor, context.requestId));
  }

  @Mutation(() => LifeEventModel, {
    description: 'A report by description (AWAITING_MATCH) is about no one in the index: REJECTED, nothing delivered.',
  })
  @Roles(Role.DataSteward)
  async rejectLifeEventMatch(
    @Args('id', { type: () => ID }) id: string,
    @CurrentPrincipal() actor: Principal,
    @Context() context: HubRequestContext,
    @Args('note', { nullable: true }) note?: string,
  ): Promise<LifeEventModel> {
    return this.receipt(await this.intake.decideMatch(id, undefined, note, actor, context.requestId));
  }

  @Query(() => LifeEventModel, { description: "A life event's receipt: its status and each delivery's." })
  @Roles(...RECEIPT_READERS)
  async lifeEvent(
    @Args('id', { type: () => ID }) id: string,
    @CurrentPrincipal() actor: Principal,
    @Context() context: HubRequestContext,
  ): Promise<LifeEventModel> {
    const event = await this.receipts.get(id);
    await this.recordView(actor, context, 'life-event.view', [event]);
    return this.receipt(event);
  }

  @Query(() => LifeEventPageModel, { description: 'Life events, newest first, with their receipts.' })
  @Roles(...RECEIPT_READERS)
  async lifeEvents(
    @CurrentPrincipal() actor: Principal,
    @Context() context: HubRequestContext,
    @Args('filter', { nullable: true }) filter?: LifeEventFilterInput,
    @Args('first', { type: () => Int, defaultValue: 20 }) first = 20,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<LifeEventPageModel> {
    const page = await this.receipts.page(
      {
        ...(filter?.status ? { status: filter.status } : {}),
        ...(filter?.type ? { type: filter.type } : {}),
        ...(filter?.personId ? { personId: filter.personId } : {}),
        ...(filter?.reportedFrom ? { reportedFrom: filter.reportedFrom } : {}),
        ...(filter?.reportedBefore ? { reportedBefore: filter.reportedBefore } : {}),
      },
      first,
      after ?? undefined,
    );
    await this.recordView(actor, context, 'life-event.list', page.items);
    const deliveries = await this.receipts.deliveries(page.items.map((e) => e.id));
    return {
      items: page.items.map((event) => this.model(event, false, deliveries.get(event.id) ?? [])),
      ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
    };
  }

  @Query(() => [LifeEventNotificationModel], {
    description:
      'Alerts for you and your team: life events of people whose case you hold, newest first (at most 100). What happened is released under your purpose, as any view of the person.',
  })
  @Policy.subject(
    'life-event.notifications',
    {
      // A household's case covers the person as a member at the moment the event was recorded: a death or a
      // move ends the membership, and the alert about it is still the household case holder's to read.
      fromResult: (item) => {
        const alert = item as LifeEventNotification;
        return { personId: alert.personId, relationshipAt: new Date(alert.createdAt.getTime() - 1) };
      },
    },
    [Role.AccountManager, Role.Caseworker],
  )
  notifications(@CurrentPrincipal() principal: Principal): Promise<LifeEventNotification[]> {
    return this.alerts.mine(principal);
  }

  @Mutation(() => Boolean, { description: 'Mark one of your alerts read; false when it is not yours.' })
  @Roles(Role.AccountManager, Role.Caseworker)
  markLifeEventNotificationRead(
    @Args('id', { type: () => ID }) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<boolean> {
    return this.alerts.markRead(principal, id);
  }

  @Query(() => [LifeEventSubscriptionModel], { description: 'Who is told of which life events.' })
  @Roles(Role.Admin, Role.Dpo)
  lifeEventSubscriptions(
    @Args('activeOnly', { defaultValue: false }) activeOnly: boolean,
  ): Promise<LifeEventSubscriptionModel[]> {
    return this.subscriptions.list(activeOnly);
  }

  @Mutation(() => [LifeEventSubscriptionModel], {
    description:
      'Tell a source system or a partner of these event types (one subscription each). Nothing is delivered without an agreement releasing the event to its organisation for TELL_US_ONCE.',
  })
  @Roles(Role.Admin)
  subscribeToLifeEvents(
    @Args('input') input: SubscribeToLifeEventsInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<LifeEventSubscriptionModel[]> {
    return this.subscriptions.subscribe(input, actor);
  }

  @Mutation(() => LifeEventSubscriptionModel, { description: 'Stop telling a recipient of one event type.' })
  @Roles(Role.Admin)
  endLifeEventSubscription(
    @Args('id', { type: () => ID }) id: string,
    @CurrentPrincipal() actor: Principal,
  ): Promise<LifeEventSubscriptionModel> {
    return this.subscriptions.end(id, actor);
  }

  /** A receipt names the persons and the evidence: reading one is recorded. */
  private async recordView(
    actor: Principal,
    context: HubRequestContext,
    operation: string,
    events: readonly LifeEventRow[],
  ): Promise<void> {
    await this.audit.record({
      actor,
      operation,
      subjects: { persons: [...new Set(events.flatMap((e) => eventPersons(e)))] },
      decision: 'allow',
      reasons: ['life event receipts'],
      ...(context.requestId ? { requestId: context.requestId } : {}),
      detail: { events: events.map((e) => e.id) },
    });
  }

  private async receipt(event: LifeEventRow, repeat = false): Promise<LifeEventModel> {
    const deliveries = await this.receipts.deliveries([event.id]);
    return this.model(event, repeat, deliveries.get(event.id) ?? []);
  }

  private model(event: LifeEventRow, repeat: boolean, deliveries: DeliveryReceipt[]): LifeEventModel {
    return {
      id: event.id,
      type: event.type,
      status: event.status,
      ...(event.personId ? { personId: event.personId } : {}),
      date: event.date,
      evidenceReference: event.evidenceReference,
      reportedBy: event.reportedBy.subject,
      reportedAt: event.reportedAt,
      repeat,
      parentIds: event.report.parentIds ?? [],
      ...(event.withdrawnAt ? { withdrawnAt: event.withdrawnAt } : {}),
      ...(event.withdrawalReason ? { withdrawalReason: event.withdrawalReason } : {}),
      ...(event.decidedBy ? { decidedBy: event.decidedBy.subject } : {}),
      ...(event.decidedAt ? { decidedAt: event.decidedAt } : {}),
      matchCandidates: event.status === 'AWAITING_MATCH' ? (event.matchReview?.candidates ?? []) : [],
      notDelivered: event.notDelivered,
      deliveries,
    };
  }
}

/**
 * What a reporter who is not a receipt reader (an account manager) is answered: the event, not its
 * deliveries, the recipients it was not sent to or match candidates, which would say which services know
 * the person (social care among them) and who resembles a description.
 */
function forReporter(receipt: LifeEventModel, actor: Principal): LifeEventModel {
  if (actor.roles.some((role) => RECEIPT_READERS.includes(role))) return receipt;
  return { ...receipt, deliveries: [], notDelivered: [], matchCandidates: [] };
}
