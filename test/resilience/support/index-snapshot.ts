import type { DataSource } from 'typeorm';

/**
 * What the sync and the person index hold, in terms that do not depend on generated ids (record ids,
 * person and household UUIDs): records by source and key, each person as the records linked to it, each
 * household as its current members, reviews as pairs of records. Two runs on the same data that end in the
 * same state give equal snapshots.
 */
export interface IndexSnapshot {
  records: { source: string; source_key: string; content_hash: string; deleted: boolean; match_status: string }[];
  persons: string[];
  personsByStatus: Record<string, number>;
  links: number;
  households: string[];
  memberships: number;
  reviews: string[];
  syncRuns: { source: string; status: string; runs: number }[];
}

/**
 * Duplicates the snapshot would hide: keys held twice, records linked twice, persons with no record. A
 * child reported born (Tell Us Once) stands on their reported identity until a source sends their record,
 * which then joins them: such a person is not counted as one without records (nor after the birth is
 * withdrawn: the person stays, for the audit trail of the event).
 */
export interface Duplicates {
  recordKeysTwice: number;
  recordsLinkedTwice: number;
  recordsUnlinked: number;
  activePersonsWithoutRecords: number;
  personsInTwoHouseholds: number;
  reviewPairsTwice: number;
}

export async function indexSnapshot(db: DataSource): Promise<IndexSnapshot> {
  const records = await db.query(
    `select source, source_key, content_hash, deleted, match_status from source_record order by source, source_key`,
  );
  const persons: { members: string }[] = await db.query(`
    select string_agg(r.source || ':' || r.source_key || ':' || l.method, ' ' order by r.source, r.source_key) as members
      from person p join person_link l on l.person_id = p.id join source_record r on r.id = l.source_record_id
     group by p.id order by members`);
  const byStatus: { status: string; n: number }[] = await db.query(
    `select status, count(*)::int as n from person group by status order by status`,
  );
  const [{ links }] = await db.query(`select count(*)::int as links from person_link`);
  const households: { members: string }[] = await db.query(`
    with person_key as (
      select l.person_id, min(r.source || ':' || r.source_key) as key
        from person_link l join source_record r on r.id = l.source_record_id group by l.person_id)
    select string_agg(k.key || '/' || coalesce(m.role, ''), ' ' order by k.key) as members
      from household_membership m join person_key k on k.person_id = m.person_id
     where m.valid_to is null group by m.household_id order by members`);
  const [{ memberships }] = await db.query(`select count(*)::int as memberships from household_membership`);
  const reviews: { pair: string }[] = await db.query(`
    select a.source || ':' || a.source_key || ' ~ ' || b.source || ':' || b.source_key || ' ' || v.status || ' ' || v.reason as pair
      from match_review v join source_record a on a.id = v.record_a join source_record b on b.id = v.record_b order by pair`);
  const syncRuns = await db.query(
    `select source, status, count(*)::int as runs from source_sync_run group by source, status order by source, status`,
  );
  return {
    records,
    persons: persons.map((p) => p.members),
    personsByStatus: Object.fromEntries(byStatus.map((s) => [s.status, s.n])),
    links,
    households: households.map((h) => h.members),
    memberships,
    reviews: reviews.map((r) => r.pair),
    syncRuns,
  };
}

export async function duplicates(db: DataSource): Promise<Duplicates> {
  const [row] = await db.query(`
    select
      (select count(*)::int from (select 1 from source_record group by source, source_key having count(*) > 1) t) as "recordKeysTwice",
      (select count(*)::int from (select 1 from person_link group by source_record_id having count(*) > 1) t) as "recordsLinkedTwice",
      (select count(*)::int from source_record r where not exists (select 1 from person_link l where l.source_record_id = r.id)) as "recordsUnlinked",
      (select count(*)::int from person p where p.status = 'active' and not exists (select 1 from person_link l where l.person_id = p.id)
          and not exists (select 1 from person_reported_identity x where x.person_id = p.id)) as "activePersonsWithoutRecords",
      (select count(*)::int from (select 1 from household_membership where valid_to is null group by person_id having count(*) > 1) t) as "personsInTwoHouseholds",
      (select count(*)::int from (select 1 from match_review where status = 'pending' group by record_a, record_b having count(*) > 1) t) as "reviewPairsTwice"`);
  return row;
}
