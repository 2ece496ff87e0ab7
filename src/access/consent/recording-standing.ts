import { Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal, Role } from '../../engine/principal';
import { AccessErrorCode, AccessException } from '../../engine/access.exception';
import { BreakGlassFact } from '../policy/policy.types';
import { BreakGlassService } from '../relationships/break-glass.service';
import { CaseAssignmentsService } from '../relationships/case-assignments.service';
import { ResolvedPerson } from '../relationships/person-survivor';

/** What entitles someone to record a person's consent or objection. */
export type Standing =
  { kind: 'dpo' } | { kind: 'case'; assignmentId: string } | { kind: 'break-glass'; grantId: string };

export interface StandingRequest {
  /** The audit operation a refusal is recorded under (`consent.record`, `objection.record`). */
  operation: string;
  breakGlassId?: string;
  /**
   * Set for a record that widens sharing (consent given): the purpose it is for, or null for every
   * purpose. A break-glass grant is for one purpose, so it supports widening only within that purpose.
   */
  widensFor?: string | null;
}

/**
 * Who may record a person's consent or objection. A consent given opens the person's data to a recipient,
 * and a refusal or an objection closes it to everyone; either way it is a statement about what the person
 * wants, and it may be written only by someone who deals with that person: the DPO, or staff with a current
 * case for the person or their household (held by them or their team, in their own organisation: the same
 * caseload facts the decision point uses), or staff holding a valid break-glass grant for the person.
 * Anyone else is refused with NO_LEGITIMATE_RELATIONSHIP, and the refusal is audited.
 */
@Injectable()
export class RecordingStanding {
  constructor(
    private readonly assignments: CaseAssignmentsService,
    private readonly grants: BreakGlassService,
    private readonly audit: AuditRecorder,
  ) {}

  async check(actor: Principal, person: ResolvedPerson, request: StandingRequest, now = new Date()): Promise<Standing> {
    if (actor.roles.includes(Role.Dpo)) return { kind: 'dpo' };
    const { assignments } = await this.assignments.relationshipFacts(actor, [person.personId], now);
    if (assignments[0]) return { kind: 'case', assignmentId: assignments[0].id };
    const reasons = [
      `${person.personId} is not on the caseload of ${actor.subject}${actor.team ? ` or team ${actor.team}` : ''} of ${actor.organisation}`,
    ];
    if (request.breakGlassId) {
      const [grant] = await this.grants.factsFor([request.breakGlassId]);
      const refusal = grantRefusal(grant, actor, person, request, now);
      if (!refusal) return { kind: 'break-glass', grantId: grant.id };
      reasons.push(`break-glass grant ${request.breakGlassId} not usable: ${refusal}`);
    }
    await this.audit.record({
      actor,
      operation: request.operation,
      subjects: { persons: [person.personId] },
      decision: 'deny',
      reasons,
      detail: {
        refused: AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
        ...(person.mergedFrom ? { askedPersonId: person.mergedFrom } : {}),
      },
    });
    throw new AccessException(
      AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP,
      'Only the DPO, or staff with a current case for the person (or their household) or a valid break-glass grant for them, may record their consent or objection',
      { reasons },
    );
  }
}

function grantRefusal(
  grant: BreakGlassFact | undefined,
  actor: Principal,
  person: ResolvedPerson,
  request: StandingRequest,
  now: Date,
): string | undefined {
  if (!grant) return 'no such grant';
  if (grant.granteeSubject !== actor.subject || grant.granteeOrganisation !== actor.organisation)
    return 'granted to someone else';
  if (grant.personId !== person.personId && grant.personId !== person.mergedFrom) return 'granted for another person';
  if (grant.revokedAt && grant.revokedAt <= now) return 'revoked';
  if (now < grant.grantedAt) return 'not yet in force';
  if (now >= grant.expiresAt) return `expired at ${grant.expiresAt.toISOString()}`;
  if (request.widensFor !== undefined && request.widensFor !== grant.purpose) {
    return `granted for ${grant.purpose}: a consent given under it must be limited to that purpose`;
  }
  return undefined;
}
