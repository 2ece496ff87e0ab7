import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditRecorder } from '../../audit/audit-recorder';
import { Principal } from '../../auth/principal';
import { IdentityErrorCode, IdentityException } from '../identity.exception';
import { pairKey } from '../index/link-decision';
import { PersonIndexStore } from '../index/person-index.store';

/**
 * A data steward's decisions on the person index: accept or reject a review item, merge two persons,
 * split a record out. Each is one transaction with its audit event, under the index lock, and leaves a
 * `same` / `different` decision and manual links that every later re-matching respects.
 */
@Injectable()
export class IdentityDecisionsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditRecorder,
  ) {}

  async acceptReview(reviewId: string, actor: Principal, note?: string): Promise<{ personId: string }> {
    return this.decide(async (db, store) => {
      const review = await this.pendingReview(db, reviewId);
      await this.constrain(db, review.record_a, review.record_b, 'same', actor, note);
      const [a, b] = await Promise.all([this.personOf(db, review.record_a), this.personOf(db, review.record_b)]);
      let personId = a ?? b;
      if (a && b && a !== b) personId = await this.mergeInto(db, store, ...(await this.survivorFirst(db, a, b)), actor);
      if (!personId) {
        personId = randomUUID();
        await store.createPersons([personId]);
      }
      for (const record of [review.record_a, review.record_b]) await this.linkManually(store, record, personId, actor);
      await this.closeReview(db, reviewId, 'accepted', actor, note);
      await this.audit.record(
        { actor, operation: 'identity.review.accept', subjects: { persons: [personId, a, b].filter(unique) }, decision: 'change', reasons: note ? [note] : [], detail: { reviewId, records: [review.record_a, review.record_b] } },
        db,
      );
      return { personId };
    });
  }

  async rejectReview(reviewId: string, actor: Principal, note?: string): Promise<{ splitPersonId?: string }> {
    return this.decide(async (db, store) => {
      const review = await this.pendingReview(db, reviewId);
      await this.constrain(db, review.record_a, review.record_b, 'different', actor, note);
      const [a, b] = await Promise.all([this.personOf(db, review.record_a), this.personOf(db, review.record_b)]);
      // Already one person (linked through other records): the newer record leaves it.
      const splitPersonId = a && a === b ? await this.splitOut(db, store, review.record_b, a, actor) : undefined;
      await this.closeReview(db, reviewId, 'rejected', actor, note);
      await this.audit.record(
        { actor, operation: 'identity.review.reject', subjects: { persons: [a, b, splitPersonId].filter(unique) }, decision: 'change', reasons: note ? [note] : [], detail: { reviewId, records: [review.record_a, review.record_b] } },
        db,
      );
      return { splitPersonId };
    });
  }

  /** Merges `mergedId` into `survivorId`: its records move, and its id points to the survivor from now on. */
  async merge(survivorId: string, mergedId: string, actor: Principal, reason: string): Promise<{ personId: string }> {
    return this.decide(async (db, store) => {
      if (survivorId === mergedId) throw new IdentityException(IdentityErrorCode.INVALID_MERGE, 'A person cannot be merged with itself');
      for (const id of [survivorId, mergedId]) await this.activePerson(db, id);
      const conflict = await db.query(
        `select c.record_a::text, c.record_b::text from match_constraint c
           join person_link la on la.source_record_id in (c.record_a, c.record_b)
           join person_link lb on lb.source_record_id in (c.record_a, c.record_b) and lb.source_record_id <> la.source_record_id
          where c.kind = 'different' and la.person_id = $1 and lb.person_id = $2 limit 1`,
        [survivorId, mergedId],
      );
      if (conflict.length) {
        throw new IdentityException(IdentityErrorCode.CONFLICTING_DECISION, 'Records of these persons were decided to be different people; review that decision first', {
          records: [conflict[0].record_a, conflict[0].record_b],
        });
      }
      await this.mergeInto(db, store, survivorId, mergedId, actor);
      await this.audit.record({ actor, operation: 'identity.merge', subjects: { persons: [survivorId, mergedId] }, decision: 'change', reasons: [reason] }, db);
      return { personId: survivorId };
    });
  }

  /** Moves one source record out of its person into a new person of its own, for good. */
  async split(sourceRecordId: string, actor: Principal, reason: string): Promise<{ personId: string }> {
    return this.decide(async (db, store) => {
      if (!/^\d+$/.test(sourceRecordId)) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No source record ${sourceRecordId}`);
      const personId = await this.personOf(db, sourceRecordId);
      if (!personId) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `Source record ${sourceRecordId} is not linked to a person`);
      const personIdNew = await this.splitOut(db, store, sourceRecordId, personId, actor);
      if (!personIdNew) throw new IdentityException(IdentityErrorCode.INVALID_SPLIT, 'The record is the only one of its person; there is nothing to split from');
      await this.audit.record({ actor, operation: 'identity.split', subjects: { persons: [personId, personIdNew] }, decision: 'change', reasons: [reason], detail: { record: sourceRecordId } }, db);
      return { personId: personIdNew };
    });
  }

  private decide<T>(work: (db: EntityManager, store: PersonIndexStore) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (db) => {
      const store = new PersonIndexStore(db);
      await store.lock();
      return work(db, store);
    });
  }

  private async pendingReview(db: EntityManager, id: string): Promise<{ record_a: string; record_b: string }> {
    if (!/^\d+$/.test(id)) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No review item ${id}`);
    const [review] = await db.query('select record_a::text, record_b::text, status from match_review where id = $1 for update', [id]);
    if (!review) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No review item ${id}`);
    if (review.status !== 'pending') throw new IdentityException(IdentityErrorCode.ALREADY_DECIDED, `Review item ${id} is already ${review.status}`);
    return review;
  }

  private async closeReview(db: EntityManager, id: string, status: 'accepted' | 'rejected', actor: Principal, note?: string) {
    await db.query(`update match_review set status = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now(), note = $4 where id = $1`, [id, status, actor.subject, note ?? null]);
  }

  private async constrain(db: EntityManager, a: string, b: string, kind: 'same' | 'different', actor: Principal, reason?: string) {
    const [low, high] = pairKey(a, b).split('|');
    await db.query(
      `insert into match_constraint (record_a, record_b, kind, decided_by, reason) values ($1, $2, $3, $4, $5)
       on conflict (record_a, record_b) do update set kind = excluded.kind, decided_by = excluded.decided_by, reason = excluded.reason, decided_at = now()`,
      [low, high, kind, actor.subject, reason ?? null],
    );
  }

  private async personOf(db: EntityManager, recordId: string): Promise<string | undefined> {
    const [row] = await db.query('select person_id::text from person_link where source_record_id = $1', [recordId]);
    return row?.person_id;
  }

  private async activePerson(db: EntityManager, id: string): Promise<void> {
    // Checked before querying: a failed query would abort the whole transaction.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
    const [row] = uuid ? await db.query('select status from person where id = $1', [id]) : [];
    if (!row) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No person ${id}`);
    if (row.status !== 'active') throw new IdentityException(IdentityErrorCode.INVALID_MERGE, `Person ${id} has already been merged`);
  }

  /** The person with more records survives (ties: the older), so the fewest references change. */
  private async survivorFirst(db: EntityManager, a: string, b: string): Promise<[string, string]> {
    const rows: { id: string }[] = await db.query(
      `select p.id::text from person p left join person_link l on l.person_id = p.id where p.id = any($1::uuid[])
        group by p.id, p.created_at order by count(l.*) desc, p.created_at, p.id`,
      [[a, b]],
    );
    return [rows[0].id, rows[1].id];
  }

  private async mergeInto(db: EntityManager, store: PersonIndexStore, survivor: string, merged: string, actor: Principal): Promise<string> {
    const records: { id: string }[] = await db.query('select source_record_id::text as id from person_link where person_id = $1', [merged]);
    for (const { id } of records) await this.linkManually(store, id, survivor, actor);
    await store.mergePersons([{ from: merged, into: survivor }]);
    return survivor;
  }

  private async splitOut(db: EntityManager, store: PersonIndexStore, recordId: string, personId: string, actor: Principal): Promise<string | undefined> {
    const others: { id: string }[] = await db.query(
      'select source_record_id::text as id from person_link where person_id = $1 and source_record_id <> $2',
      [personId, recordId],
    );
    if (others.length === 0) return undefined;
    for (const { id } of others) await this.constrain(db, recordId, id, 'different', actor, 'split out');
    const newPerson = randomUUID();
    await store.createPersons([newPerson]);
    await this.linkManually(store, recordId, newPerson, actor);
    return newPerson;
  }

  private linkManually(store: PersonIndexStore, recordId: string, personId: string, actor: Principal) {
    return store.upsertLinks([{ recordId, personId, weight: null, probability: null, method: 'manual', decidedBy: actor.subject, explanation: null }]);
  }
}

function unique(value: string | undefined, index: number, all: (string | undefined)[]): value is string {
  return value !== undefined && all.indexOf(value) === index;
}
