import { EntityManager } from 'typeorm';
import { IdentityFields } from '../../sources/identity-fields';
import { MatchRecord } from '../matching/types';
import {
  isReportedRecord,
  REPORTED_BIRTH_SQL,
  ReportedRecord,
  reportedIdentityIdOf,
  reportedRecordId,
} from './reported-records';

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
        where record_a = any($1::bigint[]) or record_b = any($1::bigint[])
       union all
       select source_record_id::text, '-' || reported_identity_id::text, kind from reported_match_constraint
        where source_record_id = any($1::bigint[]) or -reported_identity_id = any($1::bigint[])`,
      [recordIds],
    );
  }

  /** Every live record linked to these persons (the persons of reported identities a record may join). */
  async linksOfPersons(personIds: string[]): Promise<{ recordId: string; personId: string; manual: boolean }[]> {
    if (personIds.length === 0) return [];
    return this.db.query(
      `select l.source_record_id::text as "recordId", l.person_id::text as "personId", l.method = 'manual' as manual
         from person_link l join source_record r on r.id = l.source_record_id
        where not r.deleted and l.person_id = any($1::uuid[])`,
      [personIds],
    );
  }

  /** Reported births whose blocking keys are not computed yet (new, or the model changed). */
  async unkeyedReportedBirths(): Promise<ReportedRecord[]> {
    return this.reportedRows(`x.block_keys_at is null and ${REPORTED_BIRTH_SQL}`, []);
  }

  /** Stores the blocking keys of reported births (`reportedIds`: reported record ids), computed by the model in use. */
  async replaceReportedBlockKeys(
    reportedIds: string[],
    keys: { recordId: string; rule: string; key: string }[],
  ): Promise<void> {
    if (reportedIds.length === 0) return;
    const ids = reportedIds.map(reportedIdentityIdOf);
    await this.db.query('delete from reported_block_key where reported_identity_id = any($1::bigint[])', [ids]);
    if (keys.length)
      await this.db.query(
        `insert into reported_block_key (reported_identity_id, rule, key)
         select * from unnest($1::bigint[], $2::text[], $3::text[])`,
        [keys.map((k) => reportedIdentityIdOf(k.recordId)), keys.map((k) => k.rule), keys.map((k) => k.key)],
      );
    await this.db.query('update person_reported_identity set block_keys_at = now() where id = any($1::bigint[])', [
      ids,
    ]);
  }

  /** Matches again the live records sharing a (usable) blocking key with these reported births. */
  async requeueRecordsSharingKeys(reportedIds: string[], maxBlockSize: number): Promise<void> {
    if (reportedIds.length === 0) return;
    await this.db.query(
      `with theirs as (
         select rule, key from reported_block_key where reported_identity_id = any($1::bigint[])
       ), usable as (
         select k.rule, k.key from match_block_key k join (select distinct rule, key from theirs) t using (rule, key)
          group by k.rule, k.key having count(*) <= $2
       )
       update source_record r set match_status = 'pending'
         from (select distinct k.source_record_id from match_block_key k join usable using (rule, key)) m
        where r.id = m.source_record_id and r.match_status = 'matched' and not r.deleted`,
      [reportedIds.map(reportedIdentityIdOf), maxBlockSize],
    );
  }

  /** A new model blocks differently: every reported birth's keys are computed again by it. */
  async forgetReportedBlockKeys(): Promise<void> {
    await this.db.query('delete from reported_block_key');
    await this.db.query('update person_reported_identity set block_keys_at = null where block_keys_at is not null');
  }

  /**
   * Reported births (of active persons, not withdrawn) sharing a blocking key with any of `recordIds`: pairs
   * of a record id and a reported record id. The same coarse keys are skipped as for records.
   */
  async reportedCandidatePairs(recordIds: string[], maxBlockSize: number): Promise<{ a: string; b: string }[]> {
    if (recordIds.length === 0) return [];
    return this.db.query(
      `with mine as (
         select source_record_id, rule, key from match_block_key where source_record_id = any($1::bigint[])
       ), usable as (
         select k.rule, k.key from match_block_key k join (select distinct rule, key from mine) m using (rule, key)
          group by k.rule, k.key having count(*) <= $2
       )
       select distinct mine.source_record_id::text as a, '-' || x.id::text as b
         from mine join usable using (rule, key)
         join reported_block_key rk on rk.rule = mine.rule and rk.key = mine.key
         join person_reported_identity x on x.id = rk.reported_identity_id
         join person p on p.id = x.person_id
        where p.status = 'active' and ${REPORTED_BIRTH_SQL}`,
      [recordIds, maxBlockSize],
    );
  }

  /** The live reported births of these reported record ids and of these persons (active persons only). */
  async reportedRecords(recordIds: string[], personIds: string[]): Promise<ReportedRecord[]> {
    if (recordIds.length === 0 && personIds.length === 0) return [];
    return this.reportedRows(`(x.id = any($1::bigint[]) or x.person_id = any($2::uuid[])) and ${REPORTED_BIRTH_SQL}`, [
      recordIds.map(reportedIdentityIdOf),
      personIds,
    ]);
  }

  private async reportedRows(where: string, params: unknown[]): Promise<ReportedRecord[]> {
    const rows: { id: string; person_id: string; event_id: string; fields: IdentityFields }[] = await this.db.query(
      `select x.id::text, x.person_id::text, x.event_id::text, x.fields
         from person_reported_identity x join person p on p.id = x.person_id
        where p.status = 'active' and ${where}`,
      params,
    );
    return rows.map((r) => ({
      id: reportedRecordId(r.id),
      personId: r.person_id,
      eventId: r.event_id,
      fields: r.fields ?? {},
    }));
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
      // What life events reported of the merged person is now reported of the survivor (once per event).
      await this.db.query(
        `update person_reported_identity x set person_id = $2 where x.person_id = $1
            and not exists (select 1 from person_reported_identity y where y.event_id = x.event_id and y.person_id = $2)`,
        [from, into],
      );
    }
  }

  async addReviews(all: ReviewRow[]): Promise<number> {
    // A pair of a record and a reported identity (`a`, the negative id, sorts first) is kept with the record
    // as `record_a` and the reported identity's id.
    const reported = all.filter((r) => isReportedRecord(r.a));
    const reviews = all.filter((r) => !isReportedRecord(r.a));
    let opened = 0;
    if (reported.length) {
      const rows = await this.db.query(
        `insert into match_review (record_a, reported_identity_id, weight, probability, reason, explanation)
         select * from unnest($1::bigint[], $2::bigint[], $3::float8[], $4::float8[], $5::text[], $6::jsonb[])
         on conflict (record_a, reported_identity_id) where reported_identity_id is not null do nothing returning id`,
        [
          reported.map((r) => r.b),
          reported.map((r) => reportedIdentityIdOf(r.a)),
          reported.map((r) => r.weight),
          reported.map((r) => r.probability),
          reported.map((r) => r.reason),
          reported.map((r) => JSON.stringify(r.explanation)),
        ],
      );
      opened += rows.length;
    }
    if (reviews.length === 0) return opened;
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
    return opened + result.length;
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
    await this.db.query(
      `update match_review m set status = 'superseded', updated_at = now()
         from person_link la, person_reported_identity x
        where m.status = 'pending' and la.source_record_id = m.record_a and x.id = m.reported_identity_id
          and la.person_id = x.person_id and m.record_a = any($1::bigint[])`,
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
