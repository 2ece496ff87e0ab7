import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { AccessErrorCode, AccessException, invalidRecord, recordNotFound } from '../../engine/access.exception';
import { asInputError } from '../db-errors';
import { meaningfulLength, vagueTextProblem } from '../meaningful-text';
import { isCaseReference } from '../../engine/access-context';
import { BreakGlassFact } from '../policy/policy.types';
import { BreakGlassEntity, BreakGlassReviewStatus } from './break-glass.entity';
import { resolvePerson } from './person-survivor';

export const BREAK_GLASS_MIN_REASON = 30;
/** Different words a reason needs: who is at risk, of what, and why it cannot wait. */
export const BREAK_GLASS_MIN_WORDS = 5;
/** The window BREAK_GLASS_MAX_PER_DAY counts over: rolling, so there is no midnight to wait for. */
const DAY_MS = 24 * 60 * 60_000;

/** Thrown inside the grant's transaction so that it rolls back; the refusal is audited after it. */
class LimitReached extends Error {
  constructor(
    readonly personId: string,
    readonly grantsInWindow: number,
  ) {
    super('break-glass limit reached');
  }
}

export interface BreakGlassRequest {
  personId: string;
  purpose: string;
  reason: string;
  minutes: number;
  caseReference?: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Break-glass: emergency access to one person, for one purpose, for a short time, with a written reason.
 * It stands in for a case assignment only; agreements, consent and objections still apply. Every grant is
 * audited and waits on the DPO's review queue until its outcome is recorded.
 */
@Injectable()
export class BreakGlassService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * A grant for the person the id stands for (a merged id's survivor; an unknown id is refused), with a
   * reason that says something, within the user's daily allowance: at most BREAK_GLASS_MAX_PER_DAY grants
   * in any 24 hours, counted per user of an organisation. A refusal at the limit is audited.
   */
  async grant(request: BreakGlassRequest, actor: Principal): Promise<BreakGlassEntity> {
    if (!uuid.test(request.personId)) throw invalidRecord('personId must be a person id (UUID)');
    const reason = request.reason?.trim() ?? '';
    if (meaningfulLength(reason) < BREAK_GLASS_MIN_REASON) {
      throw invalidRecord(
        `Write why this cannot wait for a case assignment: at least ${BREAK_GLASS_MIN_REASON} characters`,
      );
    }
    const vague = vagueTextProblem(reason, BREAK_GLASS_MIN_WORDS);
    if (vague) throw invalidRecord(`Write why this cannot wait for a case assignment, in words: ${vague}`);
    // It is written to the audit trail with the grant, as the header's case reference is: held to the same rule.
    const caseReference = request.caseReference?.trim();
    if (caseReference && !isCaseReference(caseReference))
      throw invalidRecord('caseReference must be 1-64 letters, digits and / _ . : -');
    const max = this.config.access.breakGlassMaxMinutes;
    if (!Number.isInteger(request.minutes) || request.minutes < 1 || request.minutes > max) {
      throw invalidRecord(`Break-glass lasts between 1 and ${max} minutes`);
    }
    const limit = this.config.access.breakGlassMaxPerDay;
    try {
      return await asInputError(
        () =>
          this.dataSource.transaction(async (tx) => {
            // One user's requests one at a time, so two at once cannot both pass the count.
            await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [
              `break-glass:${actor.organisation}:${actor.subject}`,
            ]);
            const person = await resolvePerson(tx, request.personId);
            const grantedAt = new Date();
            const [{ count }]: { count: number }[] = await tx.query(
              `select count(*)::int as count from break_glass
                where grantee_organisation = $1 and grantee_subject = $2 and granted_at > $3`,
              [actor.organisation, actor.subject, new Date(grantedAt.getTime() - DAY_MS)],
            );
            if (count >= limit) throw new LimitReached(person.personId, count);
            const repo = tx.getRepository(BreakGlassEntity);
            const saved = await repo.save(
              repo.create({
                granteeSubject: actor.subject,
                granteeOrganisation: actor.organisation,
                granteeTeam: actor.team ?? null,
                personId: person.personId,
                purpose: request.purpose,
                caseReference: request.caseReference?.trim() || null,
                reason,
                grantedAt,
                expiresAt: new Date(grantedAt.getTime() + request.minutes * 60_000),
                reviewStatus: 'pending',
              }),
            );
            await this.audit.record(
              {
                actor,
                operation: 'break-glass.grant',
                subjects: { persons: [person.personId] },
                purpose: request.purpose,
                caseReference: saved.caseReference ?? undefined,
                justification: { breakGlassId: saved.id },
                decision: 'change',
                reasons: [reason],
                detail: {
                  expiresAt: saved.expiresAt.toISOString(),
                  grantsInLast24Hours: count + 1,
                  limit,
                  ...(person.mergedFrom ? { askedPersonId: person.mergedFrom } : {}),
                },
              },
              tx,
            );
            return saved;
          }),
        'The break-glass grant cannot be made',
      );
    } catch (error) {
      if (!(error instanceof LimitReached)) throw error;
      const message = `You have had ${error.grantsInWindow} break-glass grants in the last 24 hours, the most allowed (BREAK_GLASS_MAX_PER_DAY ${limit}); ask your manager or the DPO`;
      await this.audit.record({
        actor,
        operation: 'break-glass.refuse',
        subjects: { persons: [error.personId] },
        purpose: request.purpose,
        caseReference: request.caseReference?.trim() || undefined,
        decision: 'deny',
        reasons: [message, reason],
        detail: {
          refused: AccessErrorCode.BREAK_GLASS_LIMIT_REACHED,
          limit,
          grantsInLast24Hours: error.grantsInWindow,
        },
      });
      throw new AccessException(AccessErrorCode.BREAK_GLASS_LIMIT_REACHED, message, {
        limit,
        grantsInLast24Hours: error.grantsInWindow,
      });
    }
  }

  /** Grants awaiting the DPO's review, oldest first. */
  reviewQueue(): Promise<BreakGlassEntity[]> {
    return this.dataSource
      .getRepository(BreakGlassEntity)
      .find({ where: { reviewStatus: 'pending' }, order: { grantedAt: 'ASC' } });
  }

  async review(
    id: string,
    outcome: Exclude<BreakGlassReviewStatus, 'pending'>,
    note: string,
    actor: Principal,
  ): Promise<BreakGlassEntity> {
    if (!note?.trim()) throw invalidRecord('A review records what the DPO found');
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(BreakGlassEntity);
      const grant = uuid.test(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!grant) throw recordNotFound(`No break-glass grant ${id}`);
      if (grant.reviewStatus !== 'pending') throw invalidRecord(`Break-glass grant ${id} was already reviewed`);
      if (grant.granteeSubject === actor.subject)
        throw invalidRecord('A break-glass grant is reviewed by someone other than the person who used it');
      const now = new Date();
      // A grant found unjustified is also cut short, should it still be running.
      const revoke = outcome === 'not-justified' && grant.expiresAt > now && !grant.revokedAt;
      await repo.update(
        { id },
        {
          reviewStatus: outcome,
          reviewedBy: actor.subject,
          reviewedAt: now,
          reviewNote: note.trim(),
          ...(revoke ? { revokedAt: now } : {}),
        },
      );
      await this.audit.record(
        {
          actor,
          operation: 'break-glass.review',
          subjects: { persons: [grant.personId] },
          justification: { breakGlassId: id },
          decision: 'change',
          reasons: [note.trim()],
          detail: { outcome, revoked: revoke },
        },
        tx,
      );
      return repo.findOneByOrFail({ id });
    });
  }

  async factsFor(ids: string[]): Promise<BreakGlassFact[]> {
    const valid = ids.filter((id) => uuid.test(id));
    if (valid.length === 0) return [];
    const rows = await this.dataSource.getRepository(BreakGlassEntity).findBy({ id: In(valid) });
    return rows.map((g) => ({
      id: g.id,
      granteeSubject: g.granteeSubject,
      granteeOrganisation: g.granteeOrganisation,
      personId: g.personId,
      purpose: g.purpose,
      grantedAt: g.grantedAt,
      expiresAt: g.expiresAt,
      revokedAt: g.revokedAt ?? undefined,
    }));
  }
}
