import { Args, Context, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../../engine/policy/policy.decorator';
import { AuditRecorder } from '../../engine/audit-recorder';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { identityFieldNames } from '../../sources/identity-fields';
import { InputErrorCode, InputException } from '../../common/hub-exception';
import { HubRequestContext } from '../../engine/request-context';
import { IdentityDecisionsService } from '../persons/identity-decisions.service';
import { MergeRequestStatus, mergeRequestStatuses } from '../persons/merge-requests.store';
import { MatchReviewPage, PersonDecisionModel } from './match-review.model';
import { MatchReviewQuery } from './match-review.query';
import { PersonMergeRequestModel } from './merge-request.model';

/**
 * The data steward's work on the person index: the clerical review queue and the manual decisions that
 * every later re-matching respects. Showing a review item discloses both records' identity fields to the
 * steward, so each page is audited with the records' persons and the fields shown.
 */
@Resolver()
export class MatchReviewResolver {
  constructor(
    private readonly reviews: MatchReviewQuery,
    private readonly decisions: IdentityDecisionsService,
    private readonly audit: AuditRecorder,
  ) {}

  @Query(() => MatchReviewPage, { description: 'Pending match review items, most probable first.' })
  @Roles(Role.DataSteward)
  async matchReviews(
    @CurrentPrincipal() actor: Principal,
    @Context() ctx: HubRequestContext,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<MatchReviewPage> {
    const page = await this.reviews.page(first, after);
    const persons = [
      ...new Set(page.items.flatMap((i) => [i.recordA.personId, i.recordB.personId]).filter((p): p is string => !!p)),
    ];
    const sources = [...new Set(page.items.flatMap((i) => [i.recordA.source, i.recordB.source]))];
    await this.audit.record({
      actor,
      operation: 'identity.review.list',
      subjects: { persons },
      released: sources.flatMap((source) => identityFieldNames.map((field) => ({ source, field }))),
      decision: 'allow',
      reasons: ['data steward: match review'],
      // The request id ties the disclosure to the request, as every other view's event does.
      requestId: ctx.requestId || undefined,
      detail: { reviewItems: page.items.map((i) => i.id) },
    });
    return page;
  }

  @Mutation(() => PersonDecisionModel, {
    description:
      'The two records are one person: their persons are merged and stay merged. Where that joins two persons whose records do not agree on a NINO or NHS number, a merge request waits for a second data steward instead.',
  })
  @Roles(Role.DataSteward)
  acceptMatchReview(
    @CurrentPrincipal() actor: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note', { nullable: true }) note?: string,
  ) {
    return this.decisions.acceptReview(id, actor, note);
  }

  @Mutation(() => PersonDecisionModel, {
    description: 'The two records are different people: they are kept apart from now on.',
  })
  @Roles(Role.DataSteward)
  async rejectMatchReview(
    @CurrentPrincipal() actor: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note', { nullable: true }) note?: string,
  ) {
    return { personId: (await this.decisions.rejectReview(id, actor, note)).splitPersonId };
  }

  @Mutation(() => PersonDecisionModel, {
    description:
      'Merge one person into another; the merged id then points to the survivor. Done at once only where their records agree on a NINO or NHS number; otherwise a merge request waits for a second data steward.',
  })
  @Roles(Role.DataSteward)
  mergePersons(
    @CurrentPrincipal() actor: Principal,
    @Args('survivorId', { type: () => ID }) survivorId: string,
    @Args('mergedId', { type: () => ID }) mergedId: string,
    @Args('reason') reason: string,
  ) {
    return this.decisions.merge(survivorId, mergedId, actor, reason);
  }

  @Query(() => [PersonMergeRequestModel], {
    description: 'Merge requests, oldest first: by default those waiting for a second data steward.',
  })
  @Roles(Role.DataSteward)
  async personMergeRequests(
    @CurrentPrincipal() actor: Principal,
    @Context() ctx: HubRequestContext,
    @Args('status', { defaultValue: 'pending', description: '`pending`, `approved` or `rejected`.' }) status: string,
    @Args('first', { type: () => Int, defaultValue: 50 }) first: number,
  ): Promise<PersonMergeRequestModel[]> {
    if (!(mergeRequestStatuses as readonly string[]).includes(status))
      throw new InputException(
        InputErrorCode.BAD_USER_INPUT,
        `status must be one of ${mergeRequestStatuses.join(', ')}`,
      );
    const requests = await this.decisions.mergeRequests(status as MergeRequestStatus, first);
    // Which persons may be one person, and the stewards' reasons: recorded like the review queue.
    await this.audit.record({
      actor,
      operation: 'identity.merge.list',
      subjects: { persons: [...new Set(requests.flatMap((r) => [r.survivorId, r.mergedId]))] },
      decision: 'allow',
      reasons: ['data steward: merge requests'],
      requestId: ctx.requestId || undefined,
      detail: { status, mergeRequests: requests.map((r) => r.id) },
    });
    return requests;
  }

  @Mutation(() => PersonDecisionModel, {
    description:
      "Approve another data steward's merge request: the merge is carried out. The steward who asked cannot approve it.",
  })
  @Roles(Role.DataSteward)
  approvePersonMerge(
    @CurrentPrincipal() actor: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note', { nullable: true }) note?: string,
  ) {
    return this.decisions.approveMerge(id, actor, note);
  }

  @Mutation(() => PersonMergeRequestModel, {
    description: 'Reject (or, by the steward who asked, withdraw) a merge request: nothing is merged.',
  })
  @Roles(Role.DataSteward)
  rejectPersonMerge(
    @CurrentPrincipal() actor: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('note', { nullable: true }) note?: string,
  ) {
    return this.decisions.rejectMerge(id, actor, note);
  }

  @Mutation(() => PersonDecisionModel, {
    description: 'Move a source record out of its person into a new person of its own, for good.',
  })
  @Roles(Role.DataSteward)
  splitSourceRecord(
    @CurrentPrincipal() actor: Principal,
    @Args('sourceRecordId', { type: () => ID }) sourceRecordId: string,
    @Args('reason') reason: string,
  ) {
    return this.decisions.split(sourceRecordId, actor, reason);
  }
}
