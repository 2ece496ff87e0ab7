import { Args, Context, Float, Int, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../../engine/policy/policy.decorator';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import type { HubRequestContext } from '../../engine/request-context';
import { AuditRecorder } from '../../engine/audit-recorder';
import { AuditVerifierService } from '../audit-verifier.service';
import { AnomalyReportModel } from './anomaly-report.model';
import { AuditActivityInput, AuditActivityModel } from './audit-activity.model';
import { AuditActivityService } from './audit-activity.service';
import { AuditAnomalyService } from './audit-anomaly.service';
import { AuditEventConnectionModel, toAuditEventModel } from './audit-event.model';
import { AuditPage, AuditSearchService } from './audit-search.service';
import { BreakGlassReviewModel } from './break-glass-review.model';
import { BreakGlassReviewsService, BreakGlassStatusFilter } from './break-glass-reviews.service';
import { ChainVerificationModel } from './chain-verification.model';
import { dpoEvent } from './dpo-activity';
import { AuditEventFilterInput } from './dto/audit-event-filter.input';
import { SeqScalar } from './seq.scalar';
import { SubjectAccessReportModel } from './subject-access-report.model';
import { SubjectAccessService } from './subject-access.service';

const connection = (page: AuditPage): AuditEventConnectionModel => ({
  nodes: page.rows.map(toAuditEventModel),
  pageInfo: { endCursor: page.endCursor, hasNextPage: page.hasNextPage },
});

/** The data protection officer's view of the audit trail. Role `dpo`; every query is itself audited. */
@Resolver()
export class DpoResolver {
  constructor(
    private readonly search: AuditSearchService,
    private readonly verifier: AuditVerifierService,
    private readonly anomalies: AuditAnomalyService,
    private readonly activity: AuditActivityService,
    private readonly subjectAccess: SubjectAccessService,
    private readonly breakGlass: BreakGlassReviewsService,
    private readonly audit: AuditRecorder,
  ) {}

  @Query(() => AuditEventConnectionModel, {
    description: 'Audit events matching the filter, newest first, a page at a time.',
  })
  @Roles(Role.Dpo)
  async auditEvents(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('filter', { type: () => AuditEventFilterInput, nullable: true }) filter?: AuditEventFilterInput,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AuditEventConnectionModel> {
    const page = await this.search.search(filter ?? {}, first, after);
    await this.audit.record(
      dpoEvent(dpo, 'search', {
        persons: filter?.personId ? [filter.personId] : [],
        detail: { filter: { ...filter }, first, after, returned: page.rows.length },
        requestId: ctx.requestId,
      }),
    );
    return connection(page);
  }

  @Query(() => AuditEventConnectionModel, {
    description: 'Who has seen this person’s record: every disclosure naming them, newest first.',
  })
  @Roles(Role.Dpo)
  async personAccessTimeline(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('personId') personId: string,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AuditEventConnectionModel> {
    const page = await this.search.timeline(personId, first, after);
    await this.audit.record(
      dpoEvent(dpo, 'timeline', {
        persons: [personId],
        detail: { first, after, returned: page.rows.length },
        requestId: ctx.requestId,
      }),
    );
    return connection(page);
  }

  @Query(() => ChainVerificationModel, {
    description: 'Re-derives the audit chain’s hashes over a range (the whole chain by default).',
  })
  @Roles(Role.Dpo)
  async verifyAuditChain(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('fromSeq', { type: () => SeqScalar, nullable: true }) fromSeq?: number,
    @Args('toSeq', { type: () => SeqScalar, nullable: true }) toSeq?: number,
  ): Promise<ChainVerificationModel> {
    const result = await this.verifier.verify(fromSeq ?? undefined, toSeq ?? undefined);
    await this.audit.record(dpoEvent(dpo, 'verify', { detail: { ...result }, requestId: ctx.requestId }));
    return result;
  }

  @Query(() => AnomalyReportModel, { description: 'Unusual access over a window (default the last 30 days).' })
  @Roles(Role.Dpo)
  async auditAnomalies(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('from', { type: () => Date, nullable: true }) from?: Date,
    @Args('to', { type: () => Date, nullable: true }) to?: Date,
    @Args('zThreshold', { type: () => Float, nullable: true }) zThreshold?: number,
    @Args('minPersons', { type: () => Int, nullable: true }) minPersons?: number,
  ): Promise<AnomalyReportModel> {
    const report = await this.anomalies.report({
      from: from ?? undefined,
      to: to ?? undefined,
      zThreshold: zThreshold ?? undefined,
      minPersons: minPersons ?? undefined,
    });
    await this.audit.record(
      dpoEvent(dpo, 'anomalies', {
        detail: {
          from: report.from,
          to: report.to,
          volume: report.volume.length,
          outsideCaseload: report.outsideCaseload.length,
          outOfHours: report.outOfHours.length,
        },
        requestId: ctx.requestId,
      }),
    );
    return report;
  }

  @Query(() => AuditActivityModel, {
    description:
      'Accesses over time: disclosures per UTC day by organisation and by purpose, counted exactly over a window of at most 366 days (default the last 30).',
  })
  @Roles(Role.Dpo)
  async auditActivity(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('input', { type: () => AuditActivityInput, nullable: true }) input?: AuditActivityInput,
  ): Promise<AuditActivityModel> {
    const activity = await this.activity.activity(input ?? {});
    await this.audit.record(
      dpoEvent(dpo, 'activity', {
        detail: {
          from: activity.from,
          to: activity.to,
          days: activity.days.length,
          disclosures: activity.disclosures,
        },
        requestId: ctx.requestId,
      }),
    );
    return activity;
  }

  @Query(() => SubjectAccessReportModel, {
    description: 'Subject access report: every record held about the person and every disclosure of them.',
  })
  @Roles(Role.Dpo)
  async subjectAccessReport(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('personId') personId: string,
    @Args('receivedOn', { type: () => Date, nullable: true, description: 'When the request was received; sets dueBy.' })
    receivedOn?: Date,
  ): Promise<SubjectAccessReportModel> {
    const report = await this.subjectAccess.report(personId, receivedOn);
    await this.audit.record(
      dpoEvent(dpo, 'subject-access', {
        persons: [personId],
        detail: {
          format: 'graphql',
          sourceRecords: report.sourceRecords.length,
          disclosures: report.disclosures.length,
        },
        requestId: ctx.requestId,
      }),
    );
    return {
      ...report,
      sourceRecords: report.sourceRecords.map((r) => ({
        source: r.source,
        sourceKey: r.sourceKey,
        record: JSON.stringify(r.record),
      })),
      disclosures: report.disclosures.map(toAuditEventModel),
      otherEvents: report.otherEvents.map(toAuditEventModel),
    };
  }

  @Query(() => [BreakGlassReviewModel], {
    description:
      'Break-glass grants by review status (default pending), with what each was used to see. Record outcomes with reviewBreakGlass.',
  })
  @Roles(Role.Dpo)
  async breakGlassReviews(
    @CurrentPrincipal() dpo: Principal,
    @Context() ctx: HubRequestContext,
    @Args('status', { type: () => String, nullable: true, description: 'pending, justified, not-justified or all.' })
    status?: string,
  ): Promise<BreakGlassReviewModel[]> {
    const rows = await this.breakGlass.list((status ?? 'pending') as BreakGlassStatusFilter);
    await this.audit.record(
      dpoEvent(dpo, 'break-glass-reviews', {
        persons: [...new Set(rows.map((r) => r.personId))],
        detail: { status: status ?? 'pending', returned: rows.length },
        requestId: ctx.requestId,
      }),
    );
    return rows;
  }
}
