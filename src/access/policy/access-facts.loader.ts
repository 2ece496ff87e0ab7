import { Injectable } from '@nestjs/common';
import { Principal } from '../../engine/principal';
import { AgreementsService } from '../agreements/agreements.service';
import { ConsentService } from '../consent/consent.service';
import { PurposesService } from '../purposes/purposes.service';
import { BreakGlassService } from '../relationships/break-glass.service';
import { CaseAssignmentsService } from '../relationships/case-assignments.service';
import { AccessContext, PolicyFacts } from './policy.types';

/** Case assignments (to the people or their households) and the break-glass grant the request names. */
@Injectable()
export class RelationshipFacts {
  constructor(
    private readonly assignments: CaseAssignmentsService,
    private readonly breakGlass: BreakGlassService,
  ) {}

  async load(principal: Principal, context: AccessContext, personIds: string[], now: Date, membershipsSince?: Date) {
    const [{ households, assignments }, breakGlassGrants] = await Promise.all([
      this.assignments.relationshipFacts(principal, personIds, now, membershipsSince),
      this.breakGlass.factsFor(context.breakGlassId ? [context.breakGlassId] : []),
    ]);
    return { households, assignments, breakGlassGrants };
  }
}

/**
 * Loads, in a handful of queries, every fact the decision point needs about a set of people for one
 * principal, so that `decide` stays pure. Only the principal's own organisation's agreements and its own
 * (or its team's) assignments are loaded: the facts of others cannot leak into a decision.
 */
@Injectable()
export class AccessFactsLoader {
  constructor(
    private readonly purposes: PurposesService,
    private readonly agreements: AgreementsService,
    private readonly consent: ConsentService,
    private readonly relationships: RelationshipFacts,
  ) {}

  async load(
    principal: Principal,
    context: AccessContext,
    personIds: string[],
    now = new Date(),
    /** Also the household memberships current at any moment since then (PolicySubject.relationshipAt). */
    membershipsSince?: Date,
  ): Promise<PolicyFacts> {
    const [purposes, agreements, consent, relationships] = await Promise.all([
      this.purposes.activeCodes(),
      this.agreements.factsFor(principal.organisation),
      this.consent.factsFor(personIds),
      this.relationships.load(principal, context, personIds, now, membershipsSince),
    ]);
    return { now, purposes, specialCategories: [], agreements, ...consent, ...relationships };
  }
}
