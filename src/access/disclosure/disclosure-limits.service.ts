import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { AuditEventInput, AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { HubRequestContext, RequestSlot } from '../../engine/request-context';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { PersonBudget } from '../../rate-limit/person-budget';
import { Budget, RateLimitService } from '../../rate-limit/rate-limit.service';
import { RefusalAuditService } from '../../rate-limit/refusal-audit.service';
import { AgreementsService } from '../agreements/agreements.service';
import { AccessContext, Decision } from '../policy/policy.types';
import { CaseReferenceSpread } from './case-reference-spread';
import { DisclosureLimitCode, DisclosureLimitException } from './disclosure-limit.exception';

/** The operations of the events this service writes; the anomaly report lists them (audit/dpo). */
export const LIMIT_OPERATIONS = {
  persons: 'disclosure-limit.persons',
  expectedVolume: 'disclosure-limit.expected-volume',
  caseReference: 'disclosure-limit.case-reference',
} as const;

/** The volume counter never refuses by itself (the agreement's number is compared here); its ceiling is the column's. */
const VOLUME_CEILING = 2_147_483_647;

/** Per request: the admission of each person, so that a person asked for twice in one request counts once. */
const ADMITTED = new RequestSlot<Map<string, Promise<void>>>('disclosure-limits.admitted');

/** The persons one decision call is about to release, with their decisions. */
interface Release {
  principal: Principal;
  context: AccessContext;
  requestId?: string;
  persons: [string, Decision][];
}

/**
 * How many persons a client may be shown, checked after the decisions are taken and before any of them is
 * recorded or released (PolicyService.decide). Only persons with something released count; a person
 * counts once per request however often it is asked for (the admissions are kept in the request's context,
 * `HubRequestContext`, in a slot of this service's). In order:
 * 1. the client's budget of persons per minute and per day (PERSONS_PER_MINUTE, PERSONS_PER_DAY):
 *    refused with RATE_LIMITED (429, Retry-After);
 * 2. the daily volume its agreement expects (`expectedDailyVolume`), per agreement and client: the first
 *    disclosure past it is flagged in the audit trail; with `refuseAboveExpectedVolume` everything past it
 *    is refused with EXPECTED_VOLUME_EXCEEDED;
 * 3. with a case reference, the distinct persons the reference covers for the organisation over
 *    CASE_REFERENCE_PERIOD_DAYS: past CASE_REFERENCE_MAX_PERSONS refused with CASE_REFERENCE_TOO_BROAD.
 * A refusal names the persons refused (so each one's subject access report shows the attempt) and is
 * written one by one up to the refusal budget, then counted (RefusalAuditService). What a refused call
 * spent of the earlier budgets stays spent: a client reaching past a limit does not get its budget back.
 */
@Injectable()
export class DisclosureLimits implements OnModuleInit {
  private persons?: PersonBudget;
  private volume?: Budget;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rateLimit: RateLimitService,
    private readonly refusals: RefusalAuditService,
    private readonly audit: AuditRecorder,
    private readonly agreements: AgreementsService,
    private readonly spread: CaseReferenceSpread,
  ) {}

  onModuleInit(): void {
    this.persons = new PersonBudget(this.rateLimit, this.config.disclosure);
    this.volume = this.rateLimit.budget({ name: 'agreement-volume', points: VOLUME_CEILING, durationSeconds: 86_400 });
  }

  /**
   * Resolves when every person these decisions release may be released; throws a DisclosureLimitException
   * otherwise. A person already admitted in the same `request` is not counted again.
   */
  async admit(
    principal: Principal,
    context: AccessContext,
    decisions: ReadonlyMap<string, Decision>,
    requestId?: string,
    request?: HubRequestContext,
  ): Promise<void> {
    const releasing = [...decisions].filter(([, decision]) => decision.released.length > 0);
    if (releasing.length === 0) return;
    const seen = request
      ? request.slot(ADMITTED, () => new Map<string, Promise<void>>())
      : new Map<string, Promise<void>>();
    const waiting: Promise<void>[] = [];
    const fresh: [string, Decision][] = [];
    for (const entry of releasing) {
      const earlier = seen.get(entry[0]);
      if (earlier) waiting.push(earlier);
      else fresh.push(entry);
    }
    if (fresh.length > 0) {
      const admission = this.check({ principal, context, requestId, persons: fresh });
      for (const [personId] of fresh) seen.set(personId, admission);
      // Refused persons were not released: asked again in the same request, they are checked again.
      admission.catch(() => {
        for (const [personId] of fresh) if (seen.get(personId) === admission) seen.delete(personId);
      });
      waiting.push(admission);
    }
    await Promise.all(waiting);
  }

  private async check(release: Release): Promise<void> {
    await this.checkPersonBudget(release);
    await this.checkExpectedVolume(release);
    await this.checkCaseReference(release);
  }

  private async checkPersonBudget(release: Release): Promise<void> {
    const spend = await this.persons!.consumePersons(clientOf(release.principal), release.persons.length);
    if (spend.allowed) return;
    const { window, limit, retryAfterSeconds } = spend.refusedBy!;
    await this.refuse(
      release,
      LIMIT_OPERATIONS.persons,
      `persons-per-${window}`,
      `more than ${limit} persons a ${window} disclosed to this client`,
      {
        window,
        limit,
        retryAfterSeconds,
      },
    );
    throw new DisclosureLimitException(
      DisclosureLimitCode.RATE_LIMITED,
      `Too many persons: this client may be shown at most ${limit} persons a ${window}; try again in ${retryAfterSeconds} s`,
      { retryAfterSeconds, limit, window },
    );
  }

  private async checkExpectedVolume(release: Release): Promise<void> {
    const byAgreement = new Map<string, { id: string; version: number; persons: number }>();
    for (const [, decision] of release.persons) {
      if (!decision.agreement) continue;
      const key = `${decision.agreement.id}@${decision.agreement.version}`;
      const entry = byAgreement.get(key) ?? { ...decision.agreement, persons: 0 };
      entry.persons += 1;
      byAgreement.set(key, entry);
    }
    if (byAgreement.size === 0) return;
    const facts = await this.agreements.factsFor(release.principal.organisation);
    for (const { id, version, persons } of byAgreement.values()) {
      const agreement = facts.find((fact) => fact.id === id && fact.version === version);
      const expected = agreement?.expectedDailyVolume;
      if (!expected) continue;
      // Counted per agreement (every version) and client, over a day from the client's first disclosure.
      const spend = await this.volume!.spend(`${id}:${clientOf(release.principal)}`, persons);
      if (spend.consumed <= expected) continue;
      const detail = {
        expectedDailyVolume: expected,
        persons: spend.consumed,
        refused: !!agreement.refuseAboveExpectedVolume,
      };
      const reason = `${spend.consumed} persons disclosed today under agreement ${id}, which expects at most ${expected} a day`;
      if (agreement.refuseAboveExpectedVolume) {
        await this.refuse(release, LIMIT_OPERATIONS.expectedVolume, 'expected-volume', reason, detail, { id, version });
        throw new DisclosureLimitException(
          DisclosureLimitCode.EXPECTED_VOLUME_EXCEEDED,
          `Refused: agreement ${id} expects at most ${expected} persons a day for this client, and refuses beyond it`,
          { expectedDailyVolume: expected, agreement: id, retryAfterSeconds: spend.retryAfterSeconds },
        );
      }
      // Flagged once, by the disclosure that crossed the line; written before anything is released (fail closed).
      if (spend.consumed - persons <= expected) {
        await this.audit.record({
          actor: release.principal,
          operation: LIMIT_OPERATIONS.expectedVolume,
          decision: 'allow',
          purpose: release.context.purpose,
          caseReference: release.context.caseReference,
          agreement: { id, version },
          reasons: [reason],
          requestId: release.requestId,
          detail,
        });
      }
    }
  }

  private async checkCaseReference(release: Release): Promise<void> {
    const reference = release.context.caseReference;
    if (!reference) return;
    const { caseReferenceMaxPersons: max, caseReferencePeriodDays: days } = this.config.disclosure;
    const ids = release.persons.map(([personId]) => personId);
    const answer = await this.spread.admit(release.principal.organisation, reference, ids, max, days);
    if (answer.allowed) return;
    const reason = `case reference ${reference} would cover ${answer.covered} persons for ${release.principal.organisation} within ${days} days; at most ${max}`;
    await this.refuse(release, LIMIT_OPERATIONS.caseReference, 'case-reference-too-broad', reason, {
      covered: answer.covered,
      max,
      periodDays: days,
    });
    throw new DisclosureLimitException(
      DisclosureLimitCode.CASE_REFERENCE_TOO_BROAD,
      `Refused: one case reference may cover at most ${max} persons in ${days} days (CASE_REFERENCE_MAX_PERSONS); ${reference} would cover ${answer.covered}. Nothing was released, and the DPO is told`,
      { max, periodDays: days },
    );
  }

  private refuse(
    release: Release,
    operation: string,
    why: string,
    reason: string,
    detail: Record<string, unknown>,
    agreement?: AuditEventInput['agreement'],
  ): Promise<void> {
    const client = clientOf(release.principal);
    return this.refusals.refuse(
      {
        actor: release.principal,
        operation,
        decision: 'deny',
        subjects: { persons: release.persons.map(([personId]) => personId) },
        purpose: release.context.purpose,
        caseReference: release.context.caseReference,
        ...(agreement ? { agreement } : {}),
        reasons: [reason],
        requestId: release.requestId,
        detail,
      },
      { key: client, reason: why, detail: { client } },
    );
  }
}

/** The client a budget is counted against: as the request budget counts it (auth/authenticator.service.ts). */
function clientOf(principal: Principal): string {
  return `${principal.organisation}/${principal.client ?? principal.subject}`;
}
