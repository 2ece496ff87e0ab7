import type { HubRequestContext } from '../request-context';
import type { Principal } from '../principal';
import type { AccessContext, Decision, FieldRef, PolicySubject } from './decision';

export interface DecisionRequest {
  principal: Principal;
  context: AccessContext;
  subjects: PolicySubject[];
  fields: FieldRef[];
  /** e.g. `person.view`, `search`: what the audit event calls the disclosure. */
  operation: string;
  requestId?: string;
  /** The request the decisions are for, whose per-request state they may use (a person counts once per request). */
  request?: HubRequestContext;
}

/**
 * The port through which the engine's enforcement asks for decisions: implemented by the access module's
 * PolicyService (the decision point, its facts and its audit events). The engine never decides.
 */
export abstract class SubjectDecisions {
  /**
   * The request's access context, checked against the purposes catalogue once per request; a refusal is
   * audited before the caller hears of it.
   */
  abstract contextFor(context: HubRequestContext): Promise<AccessContext>;

  /**
   * Decides for each subject and records each decision in the audit trail before anything is released
   * (fail closed). `whileRecording` is work that releases nothing, started while the events are written.
   */
  abstract decide(
    request: DecisionRequest,
    whileRecording?: (decisions: ReadonlyMap<string, Decision>) => Promise<unknown>,
  ): Promise<Map<string, Decision>>;
}
