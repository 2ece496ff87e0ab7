import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AuditRecorder } from '../../engine/audit-recorder';
import { CurrentPrincipal } from '../../engine/current-principal.decorator';
import { Principal, Role } from '../../engine/principal';
import type { HubRequestContext } from '../../engine/request-context';
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
    private readonly audit: AuditRecorder,
  ) {}

  @Query(() => [CaseAssignmentModel], {
    description:
      "The cases you and your team hold now (your organisation's assignments to your team, and to you): ids only; open each with person or household.",
  })
  @Roles(Role.AccountManager, Role.Caseworker)
  async myCaseload(
    @CurrentPrincipal() principal: Principal,
    @Context() context: HubRequestContext,
  ): Promise<CaseAssignmentModel[]> {
    const now = new Date();
    const lists = await Promise.all([
      principal.team ? this.assignments.list({ team: principal.team }) : [],
      this.assignments.list({ userSubject: principal.subject }),
    ]);
    const seen = new Set<string>();
    const mine = lists
      .flat()
      .filter(
        (row) =>
          row.organisation === principal.organisation &&
          row.validFrom <= now &&
          (!row.validTo || row.validTo > now) &&
          !seen.has(row.id) &&
          seen.add(row.id),
      );
    // Which people and households are on someone's caseload is itself about them: the list is audited.
    await this.audit.record({
      actor: principal,
      operation: 'caseload.list',
      subjects: {
        persons: mine.filter((row) => row.subjectKind === 'person').map((row) => row.subjectId),
        households: mine.filter((row) => row.subjectKind === 'household').map((row) => row.subjectId),
      },
      decision: 'allow',
      reasons: ['own and own team caseload'],
      requestId: context.requestId,
    });
    return mine.map((row) => model<CaseAssignmentModel>(row));
  }

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
