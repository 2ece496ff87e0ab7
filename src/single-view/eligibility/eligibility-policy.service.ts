import { Injectable } from '@nestjs/common';
import { AccessErrorCode, AccessException } from '../../engine/access.exception';
import { AccessFactsLoader } from '../../access/policy/access-facts.loader';
import { decideAnswer } from '../../access/policy/answer-decision';
import { parseFieldRef } from '../../access/policy/field-ref';
import { AccessContext, Decision } from '../../access/policy/policy.types';
import { AuditedField, AuditEventInput, AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { EligibilityRule, Evaluation } from './eligibility-rule';

export const ELIGIBILITY_OPERATION = 'eligibility.check';

export interface AnswerRequest {
  principal: Principal;
  context: AccessContext;
  /** The person the answer is about (the survivor of any merge) and, if different, the id asked for. */
  personId: string;
  askedId: string;
  rule: EligibilityRule;
  requestId?: string;
}

/**
 * The access decision for one eligibility answer ("answers only": `decideAnswer`) and its audit events.
 * The answer's agreement field depends on the `check` argument, so the decision is taken here, before any
 * source is asked, rather than from the fields a query selects. Every event names the check, the rule and
 * its version and, for a release, the result class; never a field the rule read.
 */
@Injectable()
export class EligibilityPolicy {
  constructor(
    private readonly facts: AccessFactsLoader,
    private readonly audit: AuditRecorder,
  ) {}

  /** The decision, audited and thrown as WITHHELD_BY_POLICY when it is a refusal. */
  async authorise(request: AnswerRequest): Promise<Decision> {
    const { principal, context, personId, rule } = request;
    const facts = await this.facts.load(principal, context, [personId]);
    const inputSources = [...new Set(rule.inputs.map((input) => input.source))];
    const decision = decideAnswer(principal, context, { personId }, { ref: rule.answerRef, inputSources }, facts);
    if (decision.effect === 'allow') return decision;
    await this.audit.record(this.event(request, decision, 'deny', decision.reasons));
    const reasons = [...new Set(decision.withheld.map((w) => w.reason))];
    throw new AccessException(
      AccessErrorCode.WITHHELD_BY_POLICY,
      `Withheld by policy: ${(reasons.length ? reasons : decision.reasons.slice(-1)).join('; ')}`,
      {
        agreement: decision.agreement,
      },
    );
  }

  /** The release, written before the answer leaves the hub; if it cannot be written, nothing is released. */
  async recordRelease(request: AnswerRequest, decision: Decision, evaluation: Evaluation): Promise<void> {
    const event = this.event(request, decision, 'allow', decision.reasons);
    event.detail = {
      ...event.detail,
      result: evaluation.result,
      ...(evaluation.gaps.length ? { gaps: evaluation.gaps.map((g) => ({ source: g.source, reason: g.reason })) } : {}),
    };
    await this.audit.record(event);
  }

  /** An entitled caller named a person the hub does not know. */
  async recordUnknownPerson(request: AnswerRequest, decision: Decision): Promise<void> {
    await this.audit.record(this.event(request, decision, 'deny', [...decision.reasons, 'no such person']));
  }

  private event(
    request: AnswerRequest,
    decision: Decision,
    outcome: 'allow' | 'deny',
    reasons: string[],
  ): AuditEventInput {
    const { principal, context, personId, askedId, rule } = request;
    const answer = audited(rule.answerRef);
    return {
      actor: principal,
      operation: ELIGIBILITY_OPERATION,
      subjects: { persons: personId === askedId ? [personId] : [personId, askedId] },
      released: outcome === 'allow' ? [answer] : [],
      withheld: outcome === 'allow' ? [] : [answer],
      purpose: context.purpose,
      caseReference: context.caseReference,
      agreement: decision.agreement,
      basis: outcome === 'allow' ? decision.basis : undefined,
      justification: {
        ...(decision.consentId ? { consentId: decision.consentId } : {}),
        ...(decision.relationshipId ? { relationshipId: decision.relationshipId } : {}),
        ...(decision.breakGlassId ? { breakGlassId: decision.breakGlassId } : {}),
      },
      decision: outcome,
      reasons,
      requestId: request.requestId,
      detail: { check: rule.check, rule: rule.id, ruleVersion: rule.version },
    };
  }
}

function audited(ref: string): AuditedField {
  const parsed = parseFieldRef(ref)!;
  return { source: parsed.source, field: `${parsed.category}.${parsed.field}` };
}
