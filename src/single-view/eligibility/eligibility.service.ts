import { Injectable } from '@nestjs/common';
import { AccessContext } from '../../access/policy/policy.types';
import { Principal } from '../../engine/principal';
import { EligibilityInputs } from './eligibility-inputs.service';
import { EligibilityPolicy } from './eligibility-policy.service';
import { EligibilityCheck, EligibilityGap, EligibilityResult, londonDay } from './eligibility-rule';
import { EligibilityErrorCode, EligibilityException } from './eligibility.exception';
import { PersonSourcesQuery } from './person-sources.query';
import { eligibilityRules } from './rules';

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

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Answers an eligibility question without disclosure: decide whether the caller may have this answer
 * (before any source is asked), fetch what the rule reads live from the sources, evaluate the rule inside
 * the hub, audit the release, and return only the answer.
 */
@Injectable()
export class EligibilityService {
  constructor(
    private readonly policy: EligibilityPolicy,
    private readonly persons: PersonSourcesQuery,
    private readonly inputs: EligibilityInputs,
  ) {}

  async check(question: EligibilityQuestion): Promise<EligibilityOutcome> {
    const rule = eligibilityRules.get(question.check);
    if (!rule) throw new EligibilityException(EligibilityErrorCode.UNKNOWN_CHECK, `No rule answers ${question.check}`);
    if (!uuid.test(question.personId))
      throw new EligibilityException(
        EligibilityErrorCode.INVALID_PERSON_ID,
        'personId must be a hub person id (a UUID)',
      );
    const survivor = await this.persons.survivor(question.personId);
    // An unknown id is decided like any other, so that a caller with no right to an answer cannot learn
    // from the error which ids exist.
    const request = { ...question, personId: survivor ?? question.personId, askedId: question.personId, rule };
    const decision = await this.policy.authorise(request);
    if (!survivor) {
      await this.policy.recordUnknownPerson(request, decision);
      throw new EligibilityException(EligibilityErrorCode.PERSON_NOT_FOUND, 'The hub knows no person with this id');
    }
    const evaluatedAt = new Date();
    const keys = await this.persons.keysOf(
      survivor,
      rule.inputs.map((input) => input.source),
    );
    const sources = await this.inputs.fetch(rule, keys, question.requestId);
    const evaluation = rule.evaluate({ sources, today: londonDay(evaluatedAt) });
    await this.policy.recordRelease(request, decision, evaluation);
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
