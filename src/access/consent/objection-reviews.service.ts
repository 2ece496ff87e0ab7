import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditRecorder } from '../../engine/audit-recorder';
import { Principal } from '../../engine/principal';
import { invalidRecord, recordNotFound } from '../../engine/access.exception';
import { ObjectionEntity } from './objection.entity';

export type ObjectionReviewOutcome = 'confirmed' | 'dismissed';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The DPO's review of objections and restrictions recorded by staff. Until reviewed such a record is in
 * force as a restriction; confirming it puts in force what the person asked for (an objection stays an
 * objection, a restriction a restriction); dismissing it lifts it, with the DPO's note as the reason.
 */
@Injectable()
export class ObjectionReviewsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  /** Records awaiting review, oldest first. */
  queue(): Promise<ObjectionEntity[]> {
    return this.dataSource
      .getRepository(ObjectionEntity)
      .find({ where: { reviewStatus: 'pending' }, order: { recordedAt: 'ASC' } });
  }

  async review(id: string, outcome: ObjectionReviewOutcome, note: string, actor: Principal): Promise<ObjectionEntity> {
    if (!note?.trim()) throw invalidRecord('A review records what the DPO found');
    return this.dataSource.transaction(async (tx) => {
      const repo = tx.getRepository(ObjectionEntity);
      const objection = uuid.test(id)
        ? await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } })
        : null;
      if (!objection) throw recordNotFound(`No objection ${id}`);
      if (objection.reviewStatus !== 'pending') throw invalidRecord(`Objection ${id} is not awaiting review`);
      if (objection.recordedBy === actor.subject)
        throw invalidRecord('An objection is reviewed by someone other than the person who recorded it');
      const now = new Date();
      const review = { reviewStatus: outcome, reviewedBy: actor.subject, reviewedAt: now, reviewNote: note.trim() };
      await repo.update(
        { id },
        outcome === 'confirmed'
          ? { ...review, kind: objection.requestedKind }
          : { ...review, liftedAt: now, liftedBy: actor.subject, liftedReason: `dismissed on review: ${note.trim()}` },
      );
      await this.audit.record(
        {
          actor,
          operation: 'objection.review',
          subjects: { persons: [objection.personId] },
          decision: 'change',
          reasons: [note.trim()],
          detail: {
            objectionId: id,
            outcome,
            kind: outcome === 'confirmed' ? objection.requestedKind : objection.kind,
            recordedBy: objection.recordedBy,
          },
        },
        tx,
      );
      return repo.findOneByOrFail({ id });
    });
  }
}
