import { Injectable, Optional } from '@nestjs/common';
import { AgreementsService } from '../access/agreements/agreements.service';
import { decide } from '../access/policy/decide';
import type { AccessContext, PolicyFacts } from '../access/policy/policy.types';
import { PolicyService } from '../access/policy/policy.service';
import { PurposesService } from '../access/purposes/purposes.service';
import { AuditRecorder } from '../engine/audit-recorder';
import { AuthException } from '../engine/auth.exception';
import type { Principal } from '../engine/principal';
import type { HubRequestContext } from '../engine/request-context';
import { HubMetrics, noHubMetrics } from '../metrics/hub-metrics';
import { SingleViewErrorCode, SingleViewException } from './single-view.errors';

/** Stands for "anyone": a subject with no case, grant, consent or objection of its own. */
export const NO_ONE = '00000000-0000-0000-0000-000000000000';

/** A caller who may use some agreement for the purpose, with the facts that said so. */
export interface AdmittedCaller {
  principal: Principal;
  access: AccessContext;
  /** Purposes and the caller's organisation's agreements; nothing about any person. */
  facts: PolicyFacts;
}

/**
 * The first step of every person, household and search query: does any agreement in force let the caller
 * use data for the purpose at all (its organisation a party, one of its roles allowed, a case reference
 * sent where one is required)? If not, the whole operation is refused with a coded error and audited, before
 * any id is resolved or any record read. Every person about whom such a caller asked would be withheld
 * anyway; refusing up front means a real id and a random one get the same answer, so the refusal cannot be
 * used to learn who is in the index.
 */
@Injectable()
export class AgreementGate {
  constructor(
    private readonly policy: PolicyService,
    private readonly agreements: AgreementsService,
    private readonly purposes: PurposesService,
    private readonly audit: AuditRecorder,
    // A refused operation counts as one `deny` decision (docs/monitoring.md).
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  async admit(context: HubRequestContext, operation: string, query: string): Promise<AdmittedCaller> {
    const principal = context.principal;
    if (!principal) throw AuthException.unauthenticated('missing-token');
    const access = await this.policy.contextFor(context);
    const [purposes, agreements] = await Promise.all([
      this.purposes.activeCodes(),
      this.agreements.factsFor(principal.organisation),
    ]);
    const facts: PolicyFacts = {
      now: new Date(),
      purposes,
      specialCategories: [],
      agreements,
      consents: [],
      objections: [],
      assignments: [],
      breakGlassGrants: [],
      households: [],
    };
    // With no fields asked, a decision names an agreement exactly when one is usable for the purpose.
    const usable = decide(principal, access, { personId: NO_ONE }, [], facts);
    if (usable.agreement) return { principal, access, facts };

    const withReference = decide(principal, { ...access, caseReference: 'any' }, { personId: NO_ONE }, [], facts);
    const code = withReference.agreement
      ? SingleViewErrorCode.CASE_REFERENCE_REQUIRED
      : SingleViewErrorCode.NO_AGREEMENT;
    const reason = usable.reasons.at(-1)!;
    // Names no person or household: nothing was looked up, and the id asked for may name no one.
    await this.audit.record({
      actor: principal,
      operation,
      decision: 'deny',
      purpose: access.purpose,
      caseReference: access.caseReference,
      reasons: usable.reasons,
      requestId: context.requestId,
      detail: { refused: code, query },
    });
    this.metrics.policyDecisions(operation, ['deny']);
    throw new SingleViewException(code, `Refused: ${reason}; nothing was looked up`);
  }
}
