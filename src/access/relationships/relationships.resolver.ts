import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import { BreakGlassModel, CaseAssignmentModel } from '../access.models';
import { Roles } from '../../engine/policy/policy.decorator';
import { BreakGlassService } from './break-glass.service';
import { CaseAssignmentsService } from './case-assignments.service';
import { AssignCaseInput, BreakGlassInput, ReviewBreakGlassInput } from './dto/relationship.input';

const model = <T>(row: unknown) => row as T;

/**
 * Caseloads and break-glass. Only administrators assign cases (staff cannot put people on their own
 * caseload); staff bound by caseloads may break the glass; the DPO reviews every grant.
 */
@Resolver()
export class RelationshipsResolver {
  constructor(
    private readonly assignments: CaseAssignmentsService,
    private readonly grants: BreakGlassService,
  ) {}

  @Query(() => [CaseAssignmentModel], { description: 'Case assignments for a person or household, a team or a user.' })
  @Roles(Role.Admin, Role.Dpo)
  async caseAssignments(
    @Args('subjectId', { nullable: true }) subjectId?: string,
    @Args('team', { nullable: true }) team?: string,
    @Args('userSubject', { nullable: true }) userSubject?: string,
  ): Promise<CaseAssignmentModel[]> {
    return (await this.assignments.list({ subjectId, team, userSubject })).map((row) =>
      model<CaseAssignmentModel>(row),
    );
  }

  @Mutation(() => CaseAssignmentModel)
  @Roles(Role.Admin)
  async assignCase(
    @Args('input') input: AssignCaseInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<CaseAssignmentModel> {
    return model<CaseAssignmentModel>(await this.assignments.assign(input, actor));
  }

  @Mutation(() => CaseAssignmentModel, { description: 'End a case assignment now.' })
  @Roles(Role.Admin)
  async endCaseAssignment(@Args('id') id: string, @CurrentPrincipal() actor: Principal): Promise<CaseAssignmentModel> {
    return model<CaseAssignmentModel>(await this.assignments.end(id, actor));
  }

  @Mutation(() => BreakGlassModel, {
    description:
      'Emergency access to one person, time-boxed, with a written reason; send its id in x-break-glass. Reviewed by the DPO.',
  })
  @Roles(Role.AccountManager, Role.Caseworker)
  async breakGlass(
    @Args('input') input: BreakGlassInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<BreakGlassModel> {
    return model<BreakGlassModel>(await this.grants.grant(input, actor));
  }

  @Query(() => [BreakGlassModel], {
    description: "The DPO's review queue: break-glass grants not yet reviewed, oldest first.",
  })
  @Roles(Role.Dpo)
  async breakGlassReviewQueue(): Promise<BreakGlassModel[]> {
    return (await this.grants.reviewQueue()).map((row) => model<BreakGlassModel>(row));
  }

  @Mutation(() => BreakGlassModel, {
    description: 'Record the outcome of a break-glass review; not justified also revokes a running grant.',
  })
  @Roles(Role.Dpo)
  async reviewBreakGlass(
    @Args('input') input: ReviewBreakGlassInput,
    @CurrentPrincipal() actor: Principal,
  ): Promise<BreakGlassModel> {
    return model<BreakGlassModel>(await this.grants.review(input.id, input.outcome, input.note, actor));
  }
}
