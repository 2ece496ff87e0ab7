import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import { AuditRecorder } from '../../audit/audit-recorder';
import { Principal } from '../../auth/principal';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { invalidRecord, recordNotFound } from '../access.exception';
import { asInputError } from '../db-errors';
import { BreakGlassFact } from '../policy/policy.types';
import { BreakGlassEntity, BreakGlassReviewStatus } from './break-glass.entity';

export const BREAK_GLASS_MIN_REASON = 30;

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

  async grant(request: BreakGlassRequest, actor: Principal): Promise<BreakGlassEntity> {
    if (!uuid.test(request.personId)) throw invalidRecord('personId must be a person id (UUID)');
    const reason = request.reason?.trim() ?? '';
    if (reason.length < BREAK_GLASS_MIN_REASON) {
      throw invalidRecord(`Write why this cannot wait for a case assignment: at least ${BREAK_GLASS_MIN_REASON} characters`);
    }
    const max = this.config.access.breakGlassMaxMinutes;
    if (!Number.isInteger(request.minutes) || request.minutes < 1 || request.minutes > max) {
      throw invalidRecord(`Break-glass lasts between 1 and ${max} minutes`);
    }
    return asInputError(
      () =>
        this.dataSource.transaction(async (tx) => {
          const repo = tx.getRepository(BreakGlassEntity);
          const grantedAt = new Date();
          const saved = await repo.save(
            repo.create({
              granteeSubject: actor.subject,
              granteeOrganisation: actor.organisation,
              granteeTeam: actor.team ?? null,
              personId: request.personId,
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
              subjects: { persons: [request.personId] },
              purpose: request.purpose,
              caseReference: saved.caseReference ?? undefined,
              justification: { breakGlassId: saved.id },
              decision: 'change',
              reasons: [reason],
              detail: { expiresAt: saved.expiresAt.toISOString() },
            },
            tx,
          );
          return saved;
        }),
      'The break-glass grant cannot be made',
    );
  }

  /** Grants awaiting the DPO's review, oldest first. */
  reviewQueue(): Promise<BreakGlassEntity[]> {
    return this.dataSource.getRepository(BreakGlassEntity).find({ where: { reviewStatus: 'pending' }, order: { grantedAt: 'ASC' } });
  }

  async review(id: string, outcome: Exclude<BreakGlassReviewStatus, 'pending'>, note: string, actor: Principal): Promise<BreakGlassEntity> {
    if (!note?.trim()) throw invalidRecord('A review records what the DPO found');
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(BreakGlassEntity);
      const grant = uuid.test(id) ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } }) : null;
      if (!grant) throw recordNotFound(`No break-glass grant ${id}`);
      if (grant.reviewStatus !== 'pending') throw invalidRecord(`Break-glass grant ${id} was already reviewed`);
      if (grant.granteeSubject === actor.subject) throw invalidRecord('A break-glass grant is reviewed by someone other than the person who used it');
      const now = new Date();
      // A grant found unjustified is also cut short, should it still be running.
      const revoke = outcome === 'not-justified' && grant.expiresAt > now && !grant.revokedAt;
      await repo.update({ id }, { reviewStatus: outcome, reviewedBy: actor.subject, reviewedAt: now, reviewNote: note.trim(), ...(revoke ? { revokedAt: now } : {}) });
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
