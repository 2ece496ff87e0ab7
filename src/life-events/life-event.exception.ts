import { HubException } from '../common/hub-exception';
import type { ReportProblem } from './life-event-rules';

export enum LifeEventErrorCode {
  /** The report breaks a rule (docs/life-events.md, "What a report must hold"); `details.problems` lists each. */
  INVALID_LIFE_EVENT = 'INVALID_LIFE_EVENT',
  /** The person (or a parent) the report names is not in the person index, or has no survivor. */
  UNKNOWN_PERSON = 'LIFE_EVENT_UNKNOWN_PERSON',
  /** No life event, subscription or notification with that id (or not one you may see). */
  NOT_FOUND = 'LIFE_EVENT_NOT_FOUND',
  /** The event's status does not allow it (withdrawing a withdrawn event, deciding a match twice). */
  INVALID_TRANSITION = 'LIFE_EVENT_INVALID_TRANSITION',
  /** Life events are reported by the council's own staff only. */
  REPORTER_NOT_COUNCIL = 'LIFE_EVENT_REPORTER_NOT_COUNCIL',
  /** An account manager withdraws only the events they reported; registrars and the DPO, any. */
  NOT_THE_REPORTER = 'LIFE_EVENT_NOT_THE_REPORTER',
  /** A subscription that cannot be made as asked (unknown source, a webhook where none belongs). */
  INVALID_SUBSCRIPTION = 'INVALID_LIFE_EVENT_SUBSCRIPTION',
}

export class LifeEventException extends HubException<LifeEventErrorCode> {
  get httpStatus(): number {
    switch (this.code) {
      case LifeEventErrorCode.NOT_FOUND:
      case LifeEventErrorCode.UNKNOWN_PERSON:
        return 404;
      case LifeEventErrorCode.INVALID_TRANSITION:
        return 409;
      case LifeEventErrorCode.REPORTER_NOT_COUNCIL:
      case LifeEventErrorCode.NOT_THE_REPORTER:
        return 403;
      default:
        return 400;
    }
  }
}

/** Every problem of a report at once, each naming its input field. */
export function invalidReport(problems: readonly ReportProblem[]): LifeEventException {
  return new LifeEventException(
    LifeEventErrorCode.INVALID_LIFE_EVENT,
    `The life event cannot be accepted: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
    { problems: problems.map((p) => ({ field: p.field, message: p.message })) },
  );
}

export const lifeEventNotFound = (what: string) => new LifeEventException(LifeEventErrorCode.NOT_FOUND, what);
export const invalidTransition = (what: string) => new LifeEventException(LifeEventErrorCode.INVALID_TRANSITION, what);
