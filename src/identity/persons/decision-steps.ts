import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { Principal } from '../../engine/principal';
import { IdentityFields } from '../../sources/identity-fields';
import { IdentityErrorCode, IdentityException } from '../identity.exception';
import { pairKey } from '../index/link-decision';
import { PersonIndexStore } from '../index/person-index.store';
import { isReportedRecord, REPORTED_BIRTH_SQL, reportedIdentityIdOf } from '../index/reported-records';
import { IdentifierAgreement, identifierAgreement } from './identifier-agreement';

/**
 * A review item's two records. `record_b` of an item between a source record and a child reported born is
 * the reported identity's record id (`-` and its id, reported-records.ts).
 */
export interface ReviewPair {
  record_a: string;
  record_b: string;
}

/**
 * The steps a steward's decisions are made of, on one transaction that holds the index lock: reading and
 * closing review items, `same` / `different` decisions, manual links, merges and splits.
 */
export class DecisionSteps {
  constructor(
    readonly db: EntityManager,
    readonly store: PersonIndexStore,
  ) {}

  async pendingReview(id: string): Promise<ReviewPair> {
    // Review ids are bigints: more digits than one holds failed in PostgreSQL as an internal error.
    if (!/^\d{1,18}$/.test(id)) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No review item ${id}`);
    const [review] = await this.db.query(
      `select record_a::text, coalesce(record_b::text, '-' || reported_identity_id::text) as record_b, status
         from match_review where id = $1 for update`,
      [id],
    );
    if (!review) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No review item ${id}`);
    if (review.status !== 'pending')
      throw new IdentityException(IdentityErrorCode.ALREADY_DECIDED, `Review item ${id} is already ${review.status}`);
    return review;
  }

  async closeReview(id: string, status: 'accepted' | 'rejected', actor: Principal, note?: string) {
    await this.db.query(
      `update match_review set status = $2, reviewed_by = $3, reviewed_at = now(), updated_at = now(), note = $4 where id = $1`,
      [id, status, actor.subject, note ?? null],
    );
  }

  async constrain(a: string, b: string, kind: 'same' | 'different', actor: Principal, reason?: string) {
    if (isReportedRecord(a) || isReportedRecord(b)) {
      const [reported, record] = isReportedRecord(a) ? [a, b] : [b, a];
      await this.db.query(
        `insert into reported_match_constraint (source_record_id, reported_identity_id, kind, decided_by, reason)
         values ($1, $2, $3, $4, $5)
         on conflict (source_record_id, reported_identity_id) do update set kind = excluded.kind,
           decided_by = excluded.decided_by, reason = excluded.reason, decided_at = now()`,
        [record, reportedIdentityIdOf(reported), kind, actor.subject, reason ?? null],
      );
      return;
    }
    const [low, high] = pairKey(a, b).split('|');
    await this.db.query(
      `insert into match_constraint (record_a, record_b, kind, decided_by, reason) values ($1, $2, $3, $4, $5)
       on conflict (record_a, record_b) do update set kind = excluded.kind, decided_by = excluded.decided_by, reason = excluded.reason, decided_at = now()`,
      [low, high, kind, actor.subject, reason ?? null],
    );
  }

  async personOf(recordId: string): Promise<string | undefined> {
    if (isReportedRecord(recordId)) {
      const [reported] = await this.db.query('select person_id::text from person_reported_identity where id = $1', [
        reportedIdentityIdOf(recordId),
      ]);
      return reported?.person_id;
    }
    const [row] = await this.db.query('select person_id::text from person_link where source_record_id = $1', [
      recordId,
    ]);
    return row?.person_id;
  }

  personsOf(review: ReviewPair): Promise<[string | undefined, string | undefined]> {
    return Promise.all([this.personOf(review.record_a), this.personOf(review.record_b)]);
  }

  async activePerson(id: string, mergedCode = IdentityErrorCode.INVALID_MERGE): Promise<void> {
    // Checked before querying: a failed query would abort the whole transaction.
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
    const [row] = uuid ? await this.db.query('select status from person where id = $1', [id]) : [];
    if (!row) throw new IdentityException(IdentityErrorCode.NOT_FOUND, `No person ${id}`);
    if (row.status !== 'active') throw new IdentityException(mergedCode, `Person ${id} has already been merged`);
  }

  /** Refuses a merge when any records of the two persons were decided to be different people. */
  async refuseContradiction(survivorId: string, mergedId: string): Promise<void> {
    const conflict = await this.db.query(
      `select c.record_a::text, c.record_b::text from match_constraint c
         join person_link la on la.source_record_id in (c.record_a, c.record_b)
         join person_link lb on lb.source_record_id in (c.record_a, c.record_b) and lb.source_record_id <> la.source_record_id
        where c.kind = 'different' and la.person_id = $1 and lb.person_id = $2
       union all
       select c.source_record_id::text, '-' || c.reported_identity_id::text from reported_match_constraint c
         join person_link l on l.source_record_id = c.source_record_id
         join person_reported_identity x on x.id = c.reported_identity_id
        where c.kind = 'different' and x.withdrawn_at is null
          and ((l.person_id = $1 and x.person_id = $2) or (l.person_id = $2 and x.person_id = $1))
        limit 1`,
      [survivorId, mergedId],
    );
    if (conflict.length) {
      throw new IdentityException(
        IdentityErrorCode.CONFLICTING_DECISION,
        'Records of these persons were decided to be different people; review that decision first',
        {
          records: [conflict[0].record_a, conflict[0].record_b],
        },
      );
    }
  }

  /** Whether the two persons' live records agree on a NINO or NHS number (and disagree on none). */
  async agreementOf(a: string, b: string): Promise<IdentifierAgreement> {
    const rows: { person_id: string; demographics: IdentityFields | null }[] = await this.db.query(
      `select l.person_id::text, r.demographics from person_link l join source_record r on r.id = l.source_record_id
        where l.person_id = any($1::uuid[]) and not r.deleted`,
      [[a, b]],
    );
    const of = (person: string) => rows.filter((r) => r.person_id === person).map((r) => r.demographics ?? {});
    return identifierAgreement(of(a), of(b));
  }

  /**
   * The review item's records are one person: `same` is recorded, their persons merged (`order`: survivor
   * first, else the one with more records survives) and both records linked by hand. Returns the person.
   */
  async accept(
    reviewId: string,
    review: ReviewPair,
    actor: Principal,
    note?: string,
    order?: [string, string],
  ): Promise<string> {
    await this.constrain(review.record_a, review.record_b, 'same', actor, note);
    const [a, b] = await this.personsOf(review);
    let personId = a ?? b;
    if (a && b && a !== b) personId = await this.mergeInto(...(order ?? (await this.survivorFirst(a, b))), actor);
    if (!personId) {
      personId = randomUUID();
      await this.store.createPersons([personId]);
    }
    for (const record of [review.record_a, review.record_b]) await this.linkManually(record, personId, actor);
    await this.closeReview(reviewId, 'accepted', actor, note);
    return personId;
  }

  /** The person with more records survives (ties: the older), so the fewest references change. */
  async survivorFirst(a: string, b: string): Promise<[string, string]> {
    const rows: { id: string }[] = await this.db.query(
      `select p.id::text from person p left join person_link l on l.person_id = p.id where p.id = any($1::uuid[])
        group by p.id, p.created_at order by count(l.*) desc, p.created_at, p.id`,
      [[a, b]],
    );
    return [rows[0].id, rows[1].id];
  }

  async mergeInto(survivor: string, merged: string, actor: Principal): Promise<string> {
    const records: { id: string }[] = await this.db.query(
      'select source_record_id::text as id from person_link where person_id = $1',
      [merged],
    );
    for (const { id } of records) await this.linkManually(id, survivor, actor);
    await this.store.mergePersons([{ from: merged, into: survivor }]);
    return survivor;
  }

  async splitOut(recordId: string, personId: string, actor: Principal): Promise<string | undefined> {
    // The person's other records, and a child's reported birth (the record leaves it too).
    const others: { id: string }[] = await this.db.query(
      `select source_record_id::text as id from person_link where person_id = $1 and source_record_id <> $2
       union all
       select '-' || x.id::text from person_reported_identity x where x.person_id = $1 and ${REPORTED_BIRTH_SQL}`,
      [personId, recordId],
    );
    if (others.length === 0) return undefined;
    for (const { id } of others) await this.constrain(recordId, id, 'different', actor, 'split out');
    const newPerson = randomUUID();
    await this.store.createPersons([newPerson]);
    await this.linkManually(recordId, newPerson, actor);
    return newPerson;
  }

  private async linkManually(recordId: string, personId: string, actor: Principal) {
    // A reported identity is not linked: it belongs to its person, and follows it when that person is merged.
    if (isReportedRecord(recordId)) return;
    return this.store.upsertLinks([
      {
        recordId,
        personId,
        weight: null,
        probability: null,
        method: 'manual',
        decidedBy: actor.subject,
        explanation: null,
      },
    ]);
  }
}
