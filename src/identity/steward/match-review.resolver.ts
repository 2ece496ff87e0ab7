import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Roles } from '../../access/policy/policy.decorator';
import { AuditRecorder } from '../../audit/audit-recorder';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal, Role } from '../../auth/principal';
import { identityFieldNames } from '../../sources/identity-fields';
import { IdentityDecisionsService } from '../persons/identity-decisions.service';
import { MatchReviewPage, PersonDecisionModel } from './match-review.model';
import { MatchReviewQuery } from './match-review.query';

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
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { nullable: true }) after?: string,
  ): Promise<MatchReviewPage> {
    const page = await this.reviews.page(first, after);
    const persons = [...new Set(page.items.flatMap((i) => [i.recordA.personId, i.recordB.personId]).filter((p): p is string => !!p))];
    const sources = [...new Set(page.items.flatMap((i) => [i.recordA.source, i.recordB.source]))];
    await this.audit.record({
      actor,
      operation: 'identity.review.list',
      subjects: { persons },
      released: sources.flatMap((source) => identityFieldNames.map((field) => ({ source, field }))),
      decision: 'allow',
      reasons: ['data steward: match review'],
      detail: { reviewItems: page.items.map((i) => i.id) },
    });
    return page;
  }

  @Mutation(() => PersonDecisionModel, { description: 'The two records are one person: their persons are merged and stay merged.' })
  @Roles(Role.DataSteward)
  acceptMatchReview(@CurrentPrincipal() actor: Principal, @Args('id', { type: () => ID }) id: string, @Args('note', { nullable: true }) note?: string) {
    return this.decisions.acceptReview(id, actor, note);
  }

  @Mutation(() => PersonDecisionModel, { description: 'The two records are different people: they are kept apart from now on.' })
  @Roles(Role.DataSteward)
  async rejectMatchReview(@CurrentPrincipal() actor: Principal, @Args('id', { type: () => ID }) id: string, @Args('note', { nullable: true }) note?: string) {
    return { personId: (await this.decisions.rejectReview(id, actor, note)).splitPersonId };
  }

  @Mutation(() => PersonDecisionModel, { description: 'Merge one person into another; the merged id then points to the survivor.' })
  @Roles(Role.DataSteward)
  mergePersons(
    @CurrentPrincipal() actor: Principal,
    @Args('survivorId', { type: () => ID }) survivorId: string,
    @Args('mergedId', { type: () => ID }) mergedId: string,
    @Args('reason') reason: string,
  ) {
    return this.decisions.merge(survivorId, mergedId, actor, reason);
  }

  @Mutation(() => PersonDecisionModel, { description: 'Move a source record out of its person into a new person of its own, for good.' })
  @Roles(Role.DataSteward)
  splitSourceRecord(@CurrentPrincipal() actor: Principal, @Args('sourceRecordId', { type: () => ID }) sourceRecordId: string, @Args('reason') reason: string) {
    return this.decisions.split(sourceRecordId, actor, reason);
  }
}
