import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { AccessErrorCode, AccessException, recordNotFound } from '../../engine/access.exception';
import { OrganisationEntity } from '../organisations/organisation.entity';
import { AgreementFact, AgreementStatus } from '../policy/policy.types';
import { ReferenceFactsCache } from '../policy/reference-facts.cache';
import { PurposeEntity } from '../purposes/purpose.entity';
import { AgreementEntity } from './agreement.entity';
import { AgreementContent, validateAgreement } from './agreement-validation';

// Which status may follow which. Superseded is set only by activating a later version.
const transitions: Record<AgreementStatus, AgreementStatus[]> = {
  [AgreementStatus.Draft]: [AgreementStatus.Active],
  [AgreementStatus.Active]: [AgreementStatus.Suspended, AgreementStatus.Expired],
  [AgreementStatus.Suspended]: [AgreementStatus.Active, AgreementStatus.Expired],
  [AgreementStatus.Expired]: [],
  [AgreementStatus.Superseded]: [],
};

/**
 * Data-sharing agreements as data. A version, once written, is never rewritten (the database refuses it
 * too): a change is a new version, drafted and then activated, which supersedes the one in force. Every
 * change is audited in the same transaction.
 */
@Injectable()
export class AgreementsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
    private readonly cache: ReferenceFactsCache,
  ) {}

  list(status?: AgreementStatus): Promise<AgreementEntity[]> {
    return this.dataSource
      .getRepository(AgreementEntity)
      .find({ where: status ? { status } : {}, order: { id: 'ASC', version: 'DESC' } });
  }

  versions(id: string): Promise<AgreementEntity[]> {
    return this.dataSource.getRepository(AgreementEntity).find({ where: { id }, order: { version: 'DESC' } });
  }

  /** A version, or the latest when none is named. */
  async get(id: string, version?: number): Promise<AgreementEntity> {
    const found = await this.dataSource
      .getRepository(AgreementEntity)
      .findOne({ where: version ? { id, version } : { id }, order: { version: 'DESC' } });
    if (!found) throw recordNotFound(`No agreement ${id}${version ? ` v${version}` : ''}`);
    return found;
  }

  /** Version 1 of a new agreement, as a draft. */
  async create(
    id: string,
    content: AgreementContent,
    actor: Principal,
    manager?: EntityManager,
  ): Promise<AgreementEntity> {
    return this.inTransaction(manager, async (tx) => {
      if (await tx.getRepository(AgreementEntity).existsBy({ id })) {
        throw new AccessException(
          AccessErrorCode.INVALID_ACCESS_RECORD,
          `Agreement ${id} already exists: add a version instead`,
        );
      }
      return this.insertVersion(tx, id, 1, content, actor, 'agreement.create');
    });
  }

  /** The next version of an agreement, as a draft; the versions before it stay as they were. */
  async addVersion(id: string, content: AgreementContent, actor: Principal): Promise<AgreementEntity> {
    return this.inTransaction(undefined, async (tx) => {
      // Serialise version numbering for this agreement.
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`agreement:${id}`]);
      const latest = await tx.getRepository(AgreementEntity).findOne({ where: { id }, order: { version: 'DESC' } });
      if (!latest) throw recordNotFound(`No agreement ${id}`);
      return this.insertVersion(tx, id, latest.version + 1, content, actor, 'agreement.version');
    });
  }

  /** Moves a version through its lifecycle; activating one supersedes the version in force. */
  async setStatus(
    id: string,
    version: number,
    status: AgreementStatus,
    reason: string,
    actor: Principal,
    manager?: EntityManager,
  ): Promise<AgreementEntity> {
    if (!reason.trim())
      throw new AccessException(
        AccessErrorCode.INVALID_ACCESS_RECORD,
        'A reason is required to change an agreement status',
      );
    return this.inTransaction(manager, async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`agreement:${id}`]);
      const repo = tx.getRepository(AgreementEntity);
      const current = await repo.findOne({ where: { id, version }, lock: { mode: 'pessimistic_write' } });
      if (!current) throw recordNotFound(`No agreement ${id} v${version}`);
      if (!transitions[current.status].includes(status)) {
        throw new AccessException(
          AccessErrorCode.INVALID_TRANSITION,
          `Agreement ${id} v${version} cannot go from ${current.status} to ${status}`,
        );
      }
      const now = new Date();
      const superseded: number[] = [];
      if (status === AgreementStatus.Active) {
        const others = await repo.find({
          where: { id, status: In([AgreementStatus.Active, AgreementStatus.Suspended]) },
        });
        for (const other of others.filter((o) => o.version !== version)) {
          await repo.update(
            { id, version: other.version },
            statusChange(AgreementStatus.Superseded, `superseded by v${version}`, actor, now),
          );
          superseded.push(other.version);
        }
      }
      await repo.update({ id, version }, statusChange(status, reason, actor, now));
      await this.audit.record(
        {
          actor,
          operation: 'agreement.status',
          agreement: { id, version },
          decision: 'change',
          reasons: [reason],
          detail: { from: current.status, to: status, superseded },
        },
        tx,
      );
      return repo.findOneByOrFail({ id, version });
    });
  }

  /**
   * The versions the decision point needs for an organisation: in force or suspended (to explain a refusal).
   * Served from the in-process cache (see ReferenceFactsCache); shared between requests, so frozen.
   */
  factsFor(organisation: string): Promise<readonly AgreementFact[]> {
    return this.cache.get(`agreements:${organisation}`, () => this.loadFacts(organisation));
  }

  /**
   * For callers that change agreements inside a transaction of their own (`manager`): call once it has
   * committed, so that this instance's next decision reads the change.
   */
  factsChanged(): void {
    this.cache.invalidate();
  }

  private async loadFacts(organisation: string): Promise<readonly AgreementFact[]> {
    const rows = await this.dataSource
      .getRepository(AgreementEntity)
      .createQueryBuilder('a')
      .where(':org = any(a.parties)', { org: organisation })
      .andWhere('a.status in (:...statuses)', { statuses: [AgreementStatus.Active, AgreementStatus.Suspended] })
      .getMany();
    return Object.freeze(rows.map((row) => Object.freeze(toFact(row))));
  }

  private async insertVersion(
    tx: EntityManager,
    id: string,
    version: number,
    content: AgreementContent,
    actor: Principal,
    operation: string,
  ): Promise<AgreementEntity> {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(id)) {
      throw new AccessException(
        AccessErrorCode.INVALID_ACCESS_RECORD,
        'An agreement id is 2-63 lower-case letters, digits and dashes',
      );
    }
    const [organisations, purposes] = await Promise.all([
      tx.getRepository(OrganisationEntity).find({ select: { id: true } }),
      tx.getRepository(PurposeEntity).find({ select: { code: true }, where: { active: true } }),
    ]);
    validateAgreement(content, {
      organisations: new Set(organisations.map((o) => o.id)),
      purposes: new Set(purposes.map((p) => p.code)),
      specialCategories: [],
    });
    const entity = tx.getRepository(AgreementEntity).create({
      id,
      version,
      title: content.title.trim(),
      parties: [...new Set(content.parties)],
      purposes: [...new Set(content.purposes)],
      lawfulBasis: content.lawfulBasis,
      specialCategoryArticle9: content.specialCategoryCondition?.article9 ?? null,
      specialCategorySchedule1Paragraph: content.specialCategoryCondition?.schedule1Paragraph ?? null,
      releases: Object.fromEntries(content.releases.map((r) => [r.purpose, [...new Set(r.fields)]])),
      roles: [...new Set(content.roles)],
      caseReferenceRequired: content.caseReferenceRequired,
      expectedDailyVolume: content.expectedDailyVolume ?? null,
      refuseAboveExpectedVolume: content.refuseAboveExpectedVolume ?? false,
      validFrom: content.validFrom,
      validTo: content.validTo ?? null,
      reviewDate: content.reviewDate,
      status: AgreementStatus.Draft,
      createdBy: actor.subject,
    });
    const saved = await tx.getRepository(AgreementEntity).save(entity);
    const volume = saved.expectedDailyVolume
      ? { expectedDailyVolume: saved.expectedDailyVolume, refuseAboveExpectedVolume: saved.refuseAboveExpectedVolume }
      : {};
    await this.audit.record(
      {
        actor,
        operation,
        agreement: { id, version },
        decision: 'change',
        detail: { title: saved.title, parties: saved.parties, purposes: saved.purposes, ...volume },
      },
      tx,
    );
    return saved;
  }

  /** In the caller's transaction (which then calls `factsChanged` after commit), or in one of its own. */
  private async inTransaction<T>(
    manager: EntityManager | undefined,
    work: (tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    if (manager) return work(manager);
    try {
      return await this.dataSource.transaction(work);
    } finally {
      // After commit (or rollback, when clearing is merely wasted): never before, or a request in between
      // could cache the old version again.
      this.cache.invalidate();
    }
  }
}

function statusChange(status: AgreementStatus, reason: string, actor: Principal, at: Date) {
  return { status, statusReason: reason, statusChangedBy: actor.subject, statusChangedAt: at };
}

export function toFact(row: AgreementEntity): AgreementFact {
  return {
    id: row.id,
    version: row.version,
    title: row.title,
    parties: row.parties,
    purposes: row.purposes,
    lawfulBasis: row.lawfulBasis,
    ...(row.specialCategoryArticle9
      ? {
          specialCategoryCondition: {
            article9: row.specialCategoryArticle9,
            schedule1Paragraph: row.specialCategorySchedule1Paragraph ?? undefined,
          },
        }
      : {}),
    releases: row.releases,
    roles: row.roles,
    caseReferenceRequired: row.caseReferenceRequired,
    ...(row.expectedDailyVolume
      ? { expectedDailyVolume: row.expectedDailyVolume, refuseAboveExpectedVolume: row.refuseAboveExpectedVolume }
      : {}),
    validFrom: row.validFrom,
    validTo: row.validTo ?? undefined,
    status: row.status,
  };
}
