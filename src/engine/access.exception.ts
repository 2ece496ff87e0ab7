import { HubException } from '../common/hub-exception';
import type { Decision } from './policy/decision';

export enum AccessErrorCode {
  /** The request carries no `x-purpose` header; nothing is released. */
  PURPOSE_REQUIRED = 'PURPOSE_REQUIRED',
  /** `x-purpose` names no active purpose in the catalogue; nothing is released. */
  UNKNOWN_PURPOSE = 'UNKNOWN_PURPOSE',
  /** `x-case-reference` or `x-break-glass` is malformed. */
  INVALID_ACCESS_CONTEXT = 'INVALID_ACCESS_CONTEXT',
  /** The policy decision point withheld this field or object; the error says why. */
  WITHHELD_BY_POLICY = 'WITHHELD_BY_POLICY',
  /** An agreement, consent, objection, assignment or grant that is invalid as given. */
  INVALID_ACCESS_RECORD = 'INVALID_ACCESS_RECORD',
  /** No such agreement, organisation, consent, objection, assignment or grant. */
  ACCESS_RECORD_NOT_FOUND = 'ACCESS_RECORD_NOT_FOUND',
  /** A status change the lifecycle does not allow (e.g. activating an expired agreement). */
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  /** Recording consent or an objection needs a current case, a valid break-glass grant or the DPO role. */
  NO_LEGITIMATE_RELATIONSHIP = 'NO_LEGITIMATE_RELATIONSHIP',
  /** The person id names no one in the person index. */
  UNKNOWN_PERSON = 'UNKNOWN_PERSON',
  /** The user has had as many break-glass grants in the last 24 hours as BREAK_GLASS_MAX_PER_DAY allows. */
  BREAK_GLASS_LIMIT_REACHED = 'BREAK_GLASS_LIMIT_REACHED',
}

export class AccessException extends HubException<AccessErrorCode> {
  get httpStatus(): number {
    switch (this.code) {
      case AccessErrorCode.WITHHELD_BY_POLICY:
      case AccessErrorCode.NO_LEGITIMATE_RELATIONSHIP:
        return 403;
      case AccessErrorCode.ACCESS_RECORD_NOT_FOUND:
      case AccessErrorCode.UNKNOWN_PERSON:
        return 404;
      case AccessErrorCode.BREAK_GLASS_LIMIT_REACHED:
        return 429;
      case AccessErrorCode.INVALID_TRANSITION:
        return 409;
      default:
        return 400;
    }
  }
}

export const invalidRecord = (message: string, details?: Record<string, unknown>) =>
  new AccessException(AccessErrorCode.INVALID_ACCESS_RECORD, message, details);

export const recordNotFound = (message: string) =>
  new AccessException(AccessErrorCode.ACCESS_RECORD_NOT_FOUND, message);

/**
 * The one denial of the decision point, for a subject refused outright (a view, a reference, an eligibility
 * answer): WITHHELD_BY_POLICY, the reasons each withheld field was refused (else the last reason), the
 * decision's reasons and the agreement it was taken under.
 */
export function withheldByPolicy(decision: Decision): AccessException {
  const reasons =
    decision.withheld.length > 0 ? [...new Set(decision.withheld.map((w) => w.reason))] : decision.reasons.slice(-1);
  return new AccessException(AccessErrorCode.WITHHELD_BY_POLICY, `Withheld by policy: ${reasons.join('; ')}`, {
    reasons: decision.reasons,
    agreement: decision.agreement,
  });
}
