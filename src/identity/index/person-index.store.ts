import { EntityManager } from 'typeorm';
import { IdentityFields } from '../../sources/identity-fields';
import { MatchRecord } from '../matching/types';

export interface StoredRecord extends MatchRecord {
  deleted: boolean;
  /** The record's change number when read; marking it matched only holds if no sync changed it since. */
  changeSeq: string;
}

/**
 * The SQL of the person index, in bulk: every call takes or returns many rows, so a batch of a thousand
 * records costs a handful of round trips. Runs on the caller's transaction.
 */
export class PersonIndexStore {
  constructor(private readonly db: EntityManager) {}

  /** Locks the index for one writer (all instances): matching and manual decisions never interleave. */
  async lock(): Promise<void> {
    await this.db.query(`select pg_advisory_xact_lock(hashtext('identity-index'))`);
  }

  async pendingBatch(limit: number): Promise<StoredRecord[]> {
    const rows = await this.db.query(
      // Qualified: a bare `change_seq` here is the text column of the select list, which sorts "10" before "9".
      `select id::text, source, demographics, deleted, change_seq::text from source_record
        where match_status = 'pending' order by source_record.change_seq limit $1`,
      [limit],
    );
    return rows.map(toStored);
  }

  async records(ids: string[]): Promise<StoredRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query(
      `select id::text, source, demographics, deleted, change_seq::text from source_record where id = any($1::bigint[])`,
      [ids],
    );
    return rows.map(toStored);
  }

  async replaceBlockKeys(recordIds: string[], keys: { recordId: string; rule: string; key: string }[]): Promise<void> {
    if (recordIds.length)
      await this.db.query('delete from match_block_key where source_record_id = any($1::bigint[])', [recordIds]);
    if (keys.length === 0) return;
    await this.db.query(
      `insert into match_block_key (source_record_id, rule, key)
       select * from unnest($1::bigint[], $2::text[], $3::text[])`,
      [keys.map((k) => k.recordId), keys.map((k) => k.rule), keys.map((k) => k.key)],
    );
  }

  /**
   * Records sharing a blocking key with any of `recordIds`. Keys shared by more than `maxBlockSize`
   * records (a very common name in one year) are too coarse to search pair by pair and are skipped; the
   * other rules still find those records' matches.
   */
  async candidatePairs(recordIds: string[], maxBlockSize: number): Promise<{ a: string; b: string }[]> {
    if (recordIds.length === 0) return [];
    return this.db.query(
      `with mine as (
         select source_record_id, rule, key from match_block_key where source_record_id = any($1::bigint[])
       ), usable as (
         select k.rule, k.key from match_block_key k join (select distinct rule, key from mine) m using (rule, key)
          group by k.rule, k.key having count(*) <= $2
       )
       select distinct mine.source_record_id::text as a, other.source_record_id::text as b
         from mine join usable using (rule, key)
         join match_block_key other on other.rule = mine.rule and other.key = mine.key
        where other.source_record_id <> mine.source_record_id`,
      [recordIds, maxBlockSize],
    );
  }

  /** Current links of these records, and every live record of the persons they belong to. */
  async linksAround(recordIds: string[]): Promise<{ recordId: string; personId: string; manual: boolean }[]> {
    if (recordIds.length === 0) return [];
    return this.db.query(
      `select l.source_record_id::text as "recordId", l.person_id::text as "personId", l.method = 'manual' as manual
         from person_link l join source_record r on r.id = l.source_record_id
        where not r.deleted and l.person_id in (select person_id from person_link where source_record_id = any($1::bigint[]))`,
      [recordIds],
    );
  }

  async constraintsFor(recordIds: string[]): Promise<{ a: string; b: string; kind: 'same' | 'different' }[]> {
    if (recordIds.length === 0) return [];
    return this.db.query(
      `select record_a::text as a, record_b::text as b, kind from match_constraint
        where record_a = any($1::bigint[]) or record_b = any($1::bigint[])`,
      [recordIds],
    );
  }

  async createPersons(ids: string[]): Promise<void> {
    if (ids.length) await this.db.query('insert into person (id) select unnest($1::uuid[])', [ids]);
  }

  async upsertLinks(links: LinkRow[]): Promise<void> {
    if (links.length === 0) return;
    await this.db.query(
      `insert into person_link (source_record_id, person_id, weight, probability, method, decided_by, explanation)
       select * from unnest($1::bigint[], $2::uuid[], $3::float8[], $4::float8[], $5::text[], $6::text[], $7::jsonb[])
       on conflict (source_record_id) do update set person_id = excluded.person_id, weight = excluded.weight,
         probability = excluded.probability, method = excluded.method, decided_by = excluded.decided_by,
         explanation = excluded.explanation, decided_at = now()`,
      [
        links.map((l) => l.recordId),
        links.map((l) => l.personId),
        links.map((l) => l.weight),
        links.map((l) => l.probability),
        links.map((l) => l.method),
        links.map((l) => l.decidedBy),
        links.map((l) => (l.explanation === null ? null : JSON.stringify(l.explanation))),
      ],
    );
  }

  /** Marks persons merged into survivors, and re-points earlier merges at the final survivor. */
  async mergePersons(merges: { from: string; into: string }[]): Promise<void> {
    for (const { from, into } of merges) {
      await this.db.query(`update person set status = 'merged', merged_into = $2, updated_at = now() where id = $1`, [
        from,
        into,
      ]);
      await this.db.query(`update person set merged_into = $2, updated_at = now() where merged_into = $1`, [
        from,
        into,
      ]);
    }
  }

  async addReviews(reviews: ReviewRow[]): Promise<number> {
    if (reviews.length === 0) return 0;
    const result = await this.db.query(
      `insert into match_review (record_a, record_b, weight, probability, reason, explanation)
       select * from unnest($1::bigint[], $2::bigint[], $3::float8[], $4::float8[], $5::text[], $6::jsonb[])
       on conflict (record_a, record_b) do nothing returning id`,
      [
        reviews.map((r) => r.a),
        reviews.map((r) => r.b),
        reviews.map((r) => r.weight),
        reviews.map((r) => r.probability),
        reviews.map((r) => r.reason),
        reviews.map((r) => JSON.stringify(r.explanation)),
      ],
    );
    return result.length;
  }

  /** Pending reviews whose two records now belong to one person need no one's time any more. */
  async supersedeSettledReviews(recordIds: string[]): Promise<void> {
    if (recordIds.length === 0) return;
    await this.db.query(
      `update match_review m set status = 'superseded', updated_at = now()
         from person_link la, person_link lb
        where m.status = 'pending' and la.source_record_id = m.record_a and lb.source_record_id = m.record_b
          and la.person_id = lb.person_id and (m.record_a = any($1::bigint[]) or m.record_b = any($1::bigint[]))`,
      [recordIds],
    );
  }

  /**
   * Marks records matched as they were read. A record the sync changed meanwhile (its change_seq moved on)
   * stays pending, so the change is matched in the next batch rather than lost.
   */
  async markMatched(records: StoredRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.query(
      `update source_record r set match_status = 'matched' from unnest($1::bigint[], $2::bigint[]) as t(id, seq)
        where r.id = t.id and r.change_seq = t.seq`,
      [records.map((r) => r.id), records.map((r) => r.changeSeq)],
    );
  }
}

export interface LinkRow {
  recordId: string;
  personId: string;
  weight: number | null;
  probability: number | null;
  method: 'new' | 'auto' | 'deterministic' | 'manual';
  decidedBy: string;
  explanation: unknown;
}

export interface ReviewRow {
  a: string;
  b: string;
  weight: number;
  probability: number;
  reason: string;
  explanation: unknown;
}

function toStored(row: {
  id: string;
  source: string;
  demographics: IdentityFields;
  deleted: boolean;
  change_seq: string;
}): StoredRecord {
  return {
    id: row.id,
    source: row.source,
    fields: row.demographics ?? {},
    deleted: row.deleted,
    changeSeq: row.change_seq,
  };
}
