import { Injectable, Logger, Optional } from '@nestjs/common';
import type { Request } from 'express';
import { AuditedField, AuditEventInput, AuditRecorder } from '../../engine/audit-recorder';
import { HubMetrics, noHubMetrics } from '../../metrics/hub-metrics';
import { inSpan } from '../../metrics/hub-tracing';
import { RefusalAuditService } from '../../rate-limit/refusal-audit.service';
import { AccessErrorCode, AccessException, withheldByPolicy } from '../../engine/access.exception';
import { DisclosureLimits } from '../disclosure/disclosure-limits.service';
import { PurposesService } from '../purposes/purposes.service';
import { AccessFactsLoader } from './access-facts.loader';
import { decideAnswer, DerivedAnswer } from './answer-decision';
import { contextRefusal } from './context-refusal';
import { decide } from './decide';
import { parseFieldRef } from './field-ref';
import { DecisionRequest, SubjectDecisions } from '../../engine/policy/subject-decisions';
import type { HubRequestContext } from '../../engine/request-context';
import type { Principal } from '../../engine/principal';
import { AccessContext, Decision, FieldRef, PolicySubject } from './policy.types';

export type { DecisionRequest } from '../../engine/policy/subject-decisions';

/** One answer the hub derives about one person and releases without the data (e.g. an eligibility check). */
export interface AnswerRequest {
  principal: Principal;
  context: AccessContext;
  /** The person the answer is about (the survivor of any merge), and the id asked for when it differs. */
  subject: PolicySubject;
  answer: DerivedAnswer;
  /** What the audit event calls the disclosure, e.g. `eligibility.check`. */
  operation: string;
  requestId?: string;
  /** What every event of this answer says about it (e.g. the check and rule version); never a source's value. */
  detail: Record<string, unknown>;
}

/**
 * Asks the decision point and writes down the answer: facts are loaded, `decide` runs for each subject,
 * and each decision is recorded in the audit trail before anything is released. If the audit trail cannot
 * take the event, the error propagates and nothing is released (fail closed).
 */
@Injectable()
export class PolicyService implements SubjectDecisions {
  private readonly logger = new Logger('Policy');

  constructor(
    private readonly facts: AccessFactsLoader,
    private readonly purposes: PurposesService,
    private readonly audit: AuditRecorder,
    // Counts refusals that come in floods; without it (a bare test double) each is recorded one by one.
    @Optional() private readonly refusals?: RefusalAuditService,
    // How many persons a client may be shown (access/disclosure); a bare test double has none.
    @Optional() private readonly limits?: DisclosureLimits,
    // Decisions counted by outcome (docs/monitoring.md); without the metrics module, not counted.
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  /**
   * The request's access context, with its purpose checked against the catalogue. A refusal is audited
   * (`access.context-refused`) before the caller hears of it; if that cannot be written the request is
   * refused all the same. Read once per request (several root fields ask; a refusal is audited once) and
   * kept on the request's context.
   */
  contextFor(request: HubRequestContext): Promise<AccessContext> {
    request.checkedAccess ??= this.readContext(request);
    return request.checkedAccess;
  }

  private async readContext(request: HubRequestContext): Promise<AccessContext> {
    let context: AccessContext | undefined;
    try {
      context = request.declaredAccess();
      if (!(await this.purposes.activeCodes()).includes(context.purpose!)) {
        throw new AccessException(
          AccessErrorCode.UNKNOWN_PURPOSE,
          `Purpose ${context.purpose} is not in the purposes catalogue`,
        );
      }
      return context;
    } catch (error) {
      if (error instanceof AccessException) await this.recordRefusal(request.req, error, context?.purpose);
      throw error;
    }
  }

  private async recordRefusal(req: Request, error: AccessException, claimedPurpose?: string): Promise<void> {
    const { event, refusal } = contextRefusal(req, error, claimedPurpose);
    if (this.refusals) return this.refusals.refuse(event, refusal);
    await this.audit
      .record(event)
      .catch((failure: unknown) =>
        this.logger.error(`could not record ${event.operation}: ${(failure as Error).message}`),
      );
  }

  /**
   * `whileRecording`, if given, is called with the decisions before their audit events are prepared and
   * written: for work that releases nothing (asking the sources for what was allowed), so that its requests
   * are on the wire while the events are hashed and committed. It resolves once they are handed to the
   * network. Nothing may be released until this method has returned, and it returns only once every event
   * is committed (fail closed).
   */
  decide(
    request: DecisionRequest,
    whileRecording?: (decisions: ReadonlyMap<string, Decision>) => Promise<unknown>,
  ): Promise<Map<string, Decision>> {
    const attributes = {
      'hub.operation': request.operation,
      'hub.subjects': request.subjects.length,
      ...(request.requestId ? { 'hub.request_id': request.requestId } : {}),
    };
    return inSpan('policy.decide', attributes, async (span) => {
      const decisions = await this.decideAndRecord(request, whileRecording);
      // Counted once recorded: what the audit trail holds, never a decision whose event failed.
      const outcomes = [...decisions.values()].map((decision) => decision.effect);
      this.metrics.policyDecisions(request.operation, outcomes);
      for (const effect of new Set(outcomes))
        span.setAttribute(`hub.decisions.${effect}`, outcomes.filter((o) => o === effect).length);
      return decisions;
    });
  }

  /**
   * The decision on one derived answer ("answers only": `decideAnswer`), taken before any source is asked.
   * A refusal is audited and thrown (WITHHELD_BY_POLICY, as for a view refused outright); an allowed answer
   * is recorded by `recordAnswer` once it is known, before it leaves the hub. An answer releases no field
   * of any source, so it does not spend the persons-per-client budget (access/disclosure).
   */
  decideAnswer(request: AnswerRequest): Promise<Decision> {
    const attributes = {
      'hub.operation': request.operation,
      'hub.subjects': 1,
      ...(request.requestId ? { 'hub.request_id': request.requestId } : {}),
    };
    return inSpan('policy.decide', attributes, async (span) => {
      const { principal, context, subject, answer } = request;
      const facts = await this.facts.load(principal, context, [subject.personId]);
      const decision = decideAnswer(principal, context, { personId: subject.personId }, answer, facts);
      span.setAttribute(`hub.decisions.${decision.effect}`, 1);
      if (decision.effect === 'allow') return decision;
      await this.audit.record(this.answerEvent(request, decision));
      this.metrics.policyDecisions(request.operation, [decision.effect]);
      throw withheldByPolicy(decision);
    });
  }

  /**
   * The release of an allowed answer (`detail`: what it was, e.g. the result class), written before the
   * answer leaves the hub; if it cannot be written, nothing is released.
   */
  async recordAnswer(request: AnswerRequest, decision: Decision, detail: Record<string, unknown>): Promise<void> {
    await this.audit.record(this.answerEvent(request, decision, detail));
    this.metrics.policyDecisions(request.operation, [decision.effect]);
  }

  /** An allowed answer that cannot be given after all (`reason`, e.g. no such person): audited as refused. */
  async recordAnswerRefused(request: AnswerRequest, decision: Decision, reason: string): Promise<void> {
    const refused: Decision = {
      effect: 'deny',
      released: [],
      withheld: [{ field: request.answer.ref, reason }],
      reasons: [...decision.reasons, reason],
      agreement: decision.agreement,
      ...(decision.consentId ? { consentId: decision.consentId } : {}),
      ...(decision.relationshipId ? { relationshipId: decision.relationshipId } : {}),
      ...(decision.breakGlassId ? { breakGlassId: decision.breakGlassId } : {}),
    };
    await this.audit.record(this.answerEvent(request, refused));
    this.metrics.policyDecisions(request.operation, [refused.effect]);
  }

  private answerEvent(request: AnswerRequest, decision: Decision, detail?: Record<string, unknown>): AuditEventInput {
    const { principal, context, subject, answer, operation, requestId } = request;
    const asked: DecisionRequest = {
      principal,
      context,
      subjects: [subject],
      fields: [answer.ref],
      operation,
      requestId,
    };
    return this.eventFor(asked, subject.personId, decision, { ...request.detail, ...detail });
  }

  private async decideAndRecord(
    request: DecisionRequest,
    whileRecording?: (decisions: ReadonlyMap<string, Decision>) => Promise<unknown>,
  ): Promise<Map<string, Decision>> {
    const personIds = [...new Set(request.subjects.map((s) => s.personId))];
    // A subject judged by its household membership at an earlier moment (an alert): the earliest per person.
    const relationshipAt = new Map<string, Date>();
    for (const { personId, relationshipAt: at } of request.subjects)
      if (at && !(relationshipAt.get(personId)! <= at)) relationshipAt.set(personId, at);
    const since = [...relationshipAt.values()].sort((a, b) => a.getTime() - b.getTime())[0];
    const facts = await this.facts.load(request.principal, request.context, personIds, new Date(), since);
    const decisions = new Map<string, Decision>();
    for (const personId of personIds) {
      const subject = {
        personId,
        ...(relationshipAt.has(personId) ? { relationshipAt: relationshipAt.get(personId) } : {}),
      };
      decisions.set(personId, decide(request.principal, request.context, subject, request.fields, facts));
    }
    // Before anything is asked of a source, recorded or released: a refusal here releases no one.
    await this.limits?.admit(request.principal, request.context, decisions, request.requestId, request.request);
    if (whileRecording) {
      await whileRecording(decisions);
      // The HTTP client writes a request on a kept-alive connection in the event loop's check phase (after
      // checking the idle socket); queued behind it, the events' CPU work does not hold the requests back.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Recorded together (the audit writer appends concurrent events in one go), in subject order; any
    // failure rejects the whole call, so nothing is released.
    await Promise.all(
      personIds.map((personId) => this.audit.record(this.eventFor(request, personId, decisions.get(personId)!))),
    );
    return decisions;
  }

  private eventFor(
    request: DecisionRequest,
    personId: string,
    decision: Decision,
    detail?: Record<string, unknown>,
  ): AuditEventInput {
    // A household view names the household too, so the DPO can answer "who looked at this household".
    const households = [
      ...new Set(request.subjects.filter((s) => s.personId === personId && s.householdId).map((s) => s.householdId!)),
    ];
    // Reached through a merged id: the event names that id too, the survivor first (detail.requestedId).
    const requested = [
      ...new Set(
        request.subjects
          .filter((s) => s.personId === personId && s.requestedId && s.requestedId !== personId)
          .map((s) => s.requestedId!),
      ),
    ];
    return {
      actor: request.principal,
      operation: request.operation,
      subjects: { persons: [personId, ...requested], ...(households.length > 0 ? { households } : {}) },
      released: decision.released.map(audited),
      withheld: decision.withheld.map((w) => audited(w.field)),
      purpose: request.context.purpose,
      caseReference: request.context.caseReference,
      agreement: decision.agreement,
      basis: decision.basis,
      justification: {
        ...(decision.consentId ? { consentId: decision.consentId } : {}),
        ...(decision.relationshipId ? { relationshipId: decision.relationshipId } : {}),
        ...(decision.breakGlassId ? { breakGlassId: decision.breakGlassId } : {}),
      },
      decision: decision.effect,
      reasons: decision.reasons,
      requestId: request.requestId,
      ...(requested.length > 0 || detail
        ? {
            detail: {
              ...(requested.length === 0
                ? {}
                : requested.length === 1
                  ? { requestedId: requested[0] }
                  : { requestedIds: requested }),
              ...detail,
            },
          }
        : {}),
    };
  }
}

function audited(ref: FieldRef): AuditedField {
  const parsed = parseFieldRef(ref);
  return parsed
    ? { source: parsed.source, field: `${parsed.category}.${parsed.field}` }
    : { source: 'unknown', field: ref };
}
