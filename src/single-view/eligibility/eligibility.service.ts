import { Injectable } from '@nestjs/common';
import { AccessContext } from '../../access/policy/policy.types';
import { AnswerRequest, PolicyService } from '../../access/policy/policy.service';
import { Principal } from '../../engine/principal';
import { isUuid, PersonDirectory } from '../../identity/directory/person-directory.service';
import { EligibilityInputs } from './eligibility-inputs.service';
import { EligibilityCheck, EligibilityGap, EligibilityResult, londonDay } from './eligibility-rule';
import { EligibilityErrorCode, EligibilityException } from './eligibility.exception';
import { eligibilityRules } from './rules';

export const ELIGIBILITY_OPERATION = 'eligibility.check';

export interface EligibilityQuestion {
  principal: Principal;
  context: AccessContext;
  personId: string;
  check: EligibilityCheck;
  requestId?: string;
}

/** All that leaves the hub: the answer and which rule, at which version, gave it. */
export interface EligibilityOutcome {
  check: EligibilityCheck;
  result: EligibilityResult;
  rule: string;
  ruleVersion: number;
  evaluatedAt: Date;
  gaps: EligibilityGap[];
}

/**
 * Answers an eligibility question without disclosure: decide whether the caller may have this answer
 * (before any source is asked), fetch what the rule reads live from the sources, evaluate the rule inside
 * the hub, audit the release, and return only the answer. The decision, its audit events and the denial
 * are the single view's (PolicyService); every event names the check, the rule and its version and, for a
 * release, the result class, never a field the rule read.
 */
@Injectable()
export class EligibilityService {
  constructor(
    private readonly policy: PolicyService,
    private readonly persons: PersonDirectory,
    private readonly inputs: EligibilityInputs,
  ) {}

  async check(question: EligibilityQuestion): Promise<EligibilityOutcome> {
    const rule = eligibilityRules.get(question.check);
    if (!rule) throw new EligibilityException(EligibilityErrorCode.UNKNOWN_CHECK, `No rule answers ${question.check}`);
    if (!isUuid(question.personId))
      throw new EligibilityException(
        EligibilityErrorCode.INVALID_PERSON_ID,
        'personId must be a hub person id (a UUID)',
      );
    // The person (following merges to the survivor) and their linked records, in one read of the index.
    const person = (await this.persons.survivorsIndexed([question.personId])).get(question.personId.toLowerCase());
    // An unknown id is decided like any other, so that a caller with no right to an answer cannot learn
    // from the error which ids exist.
    const request: AnswerRequest = {
      principal: question.principal,
      context: question.context,
      subject: { personId: person?.personId ?? question.personId, requestedId: question.personId },
      answer: { ref: rule.answerRef, inputSources: [...new Set(rule.inputs.map((input) => input.source))] },
      operation: ELIGIBILITY_OPERATION,
      requestId: question.requestId,
      detail: { check: rule.check, rule: rule.id, ruleVersion: rule.version },
    };
    const decision = await this.policy.decideAnswer(request);
    if (!person) {
      await this.policy.recordAnswerRefused(request, decision, 'no such person');
      throw new EligibilityException(EligibilityErrorCode.PERSON_NOT_FOUND, 'The hub knows no person with this id');
    }
    const evaluatedAt = new Date();
    // Only the keys of the sources the rule reads.
    const keys = new Map(
      rule.inputs.flatMap((input) => {
        const found = person.keys.get(input.source);
        return found ? [[input.source, found] as const] : [];
      }),
    );
    const sources = await this.inputs.fetch(rule, keys, question.requestId);
    const evaluation = rule.evaluate({ sources, today: londonDay(evaluatedAt) });
    await this.policy.recordAnswer(request, decision, {
      result: evaluation.result,
      ...(evaluation.gaps.length ? { gaps: evaluation.gaps.map((g) => ({ source: g.source, reason: g.reason })) } : {}),
    });
    return {
      check: rule.check,
      result: evaluation.result,
      rule: rule.id,
      ruleVersion: rule.version,
      evaluatedAt,
      gaps: evaluation.gaps,
    };
  }
}
