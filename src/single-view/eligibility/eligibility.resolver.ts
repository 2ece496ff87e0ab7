import { Args, Context, ID, Query, Resolver } from '@nestjs/graphql';
import { PolicyService } from '../../access/policy/policy.service';
import { Policy } from '../../engine/policy/policy.decorator';
import { AuthException } from '../../engine/auth.exception';
import { Role } from '../../engine/principal';
import type { HubRequestContext } from '../../engine/request-context';
import {
  EligibilityAnswerModel,
  EligibilityCheck,
  EligibilityResultValue,
  EligibilityGapReason,
} from './eligibility.model';
import { ELIGIBILITY_OPERATION, EligibilityService } from './eligibility.service';

/**
 * `Policy.subject` with no subject taken from the result: the answer's agreement field depends on the
 * `check` argument, which the generic enforcement (it collects `@ReleasedAs` fields from the selection)
 * cannot see, so EligibilityService asks PolicyService.decideAnswer, which decides and audits for the person before anything is fetched. The
 * interceptor still checks the purpose header; it adds no second, empty decision.
 */
const decidedByEligibilityPolicy = { fromResult: () => undefined };

@Resolver(() => EligibilityAnswerModel)
export class EligibilityResolver {
  constructor(
    private readonly eligibility: EligibilityService,
    private readonly policy: PolicyService,
  ) {}

  @Query(() => EligibilityAnswerModel, {
    description:
      'Answers YES, NO or UNKNOWN to an eligibility question about a person, with the rule and its version, and releases none of the data behind it. Needs x-purpose and an agreement releasing hub.eligibility.<check>.',
  })
  @Policy.subject(ELIGIBILITY_OPERATION, decidedByEligibilityPolicy, [
    Role.AccountManager,
    Role.Caseworker,
    Role.PartnerAgency,
  ])
  async checkEligibility(
    @Args('personId', { type: () => ID }) personId: string,
    @Args('check', { type: () => EligibilityCheck }) check: EligibilityCheck,
    @Context() ctx: HubRequestContext,
  ): Promise<EligibilityAnswerModel> {
    const principal = ctx.principal;
    if (!principal) throw AuthException.unauthenticated('missing-token');
    const context = await this.policy.contextFor(ctx);
    const outcome = await this.eligibility.check({ principal, context, personId, check, requestId: ctx.requestId });
    return {
      check: outcome.check,
      result: outcome.result as EligibilityResultValue,
      rule: outcome.rule,
      ruleVersion: outcome.ruleVersion,
      evaluatedAt: outcome.evaluatedAt,
      gaps: outcome.gaps.map((gap) => ({
        source: gap.source,
        reason: gap.reason as EligibilityGapReason,
        fields: gap.fields,
      })),
    };
  }
}
