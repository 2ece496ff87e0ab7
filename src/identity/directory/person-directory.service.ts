import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SourceRecordEntry, SubjectIdentities } from '../../audit/dpo/subject-identities';
import { preparedQuery } from '../../database/prepared-query';
import { HomeEvidence } from '../../households/home-evidence';
import type { PersonHomeEvidence } from '../../households/household-resolution';
import type { HouseholdHint } from '../../sources/source-adapter';
import { IdentityFields } from '../../sources/identity-fields';
import {
  DEFAULT_SOURCE_TRUST,
  goldenIdentity,
  GoldenIdentity,
  RecordEvidence,
  withDeath,
} from '../persons/golden-identity';

/** One live source record linked to a person, with why it was linked. */
export interface LinkedRecord {
  /** The hub's id of the source record (what a match explanation's `via` names). */
  recordId: string;
  source: string;
  sourceKey: string;
  lastSeen: string;
  fields: IdentityFields;
  method: string;
  weight: number | null;
  probability: number | null;
  decidedBy: string;
  decidedAt: string;
  explanation: unknown;
  /** When the record's content last changed at the hub (ISO). */
  changedAt?: string;
}

/** What the index knows about a person: their linked records and the golden identity over them. */
export interface IndexedPerson {
  personId: string;
  records: LinkedRecord[];
  golden: GoldenIdentity;
  /** Source id → the person's keys there. */
  keys: Map<string, string[]>;
  /** Set by a reported death (Tell Us Once), YYYY-MM-DD; the person stays in the index. */
  dateOfDeath?: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string) => uuid.test(value);

/** Anything that runs SQL: the DataSource, or a transaction's EntityManager. */
export type Queryable = Pick<EntityManager, 'query'>;

/** A link row as the index queries below read it. */
interface LinkRow {
  person_id: string;
  record_id: string;
  source: string;
  source_key: string;
  demographics: IdentityFields | null;
  seen: Date;
  method: string;
  weight: number | null;
  probability: number | null;
  decided_by: string;
  decided_at: Date;
  explanation: unknown;
  /** When the record's content last changed (a reported identity: when it was reported). */
  changed: Date;
}

const linkColumns = `l.person_id::text, r.id::text as record_id, r.source, r.source_key, r.demographics, coalesce(r.source_updated_at, r.last_seen_at) as seen,
                     l.method, l.weight, l.probability, l.decided_by, l.decided_at, l.explanation, r.changed_at as changed`;

/** A life event's reported identity (`person_reported_identity`), in a link row's shape: source `hub`, method `reported`. */
const REPORTED_METHOD = 'reported';
const reportedColumns = `x.person_id::text, null::text, 'hub'::text, x.event_id::text, x.fields, x.reported_at,
                     '${REPORTED_METHOD}'::text, null::float8, null::float8, 'life-event'::text, x.reported_at, null::jsonb, x.reported_at`;
/** The live links of the person `who` names (an SQL expression), with what life events reported of them. */
const linksOf = (who: string) =>
  `(select ${linkColumns} from person_link l join source_record r on r.id = l.source_record_id
     where l.person_id = ${who} and not r.deleted
    union all
    select ${reportedColumns} from person_reported_identity x where x.person_id = ${who} and x.withdrawn_at is null)`;

/** How many merges a chain may have before it is taken as broken (merges are repointed, so one is normal). */
export const MAX_MERGE_HOPS = 32;

/**
 * THE survivor rule, for every reader of the person index: from each asked id, follow `merged_into` while
 * the person is `merged`, at most MAX_MERGE_HOPS times; the survivor is the `active` person the chain ends
 * on. A chain that ends on a merged person (a cycle, or longer than any merge history should be) has no
 * survivor. `chain` holds every step (asked, id, status, merged_into, depth); `survivor` the ends.
 */
const survivorChain = `with recursive chain (asked, id, status, merged_into, depth) as (
         select id, id, status, merged_into, 0 from person where id = any($1::uuid[])
         union all
         select c.asked, p.id, p.status, p.merged_into, c.depth + 1
           from chain c join person p on p.id = c.merged_into
          where c.status = 'merged' and c.depth < ${MAX_MERGE_HOPS}),
       survivor as (select asked, id from chain where status = 'active')`;

/**
 * The survivor of each asked id the index holds (see `survivorChain`): the active person it stands for
 * (itself when active), or null when its merge chain is broken. An id the index does not hold has no entry.
 * Keys are the ids as the index spells them (lower case). Takes a transaction's manager too, so that a
 * record kept against the survivor is written in the transaction that found it.
 */
export async function survivorsOf(db: Queryable, ids: readonly string[]): Promise<Map<string, string | null>> {
  const wanted = [...new Set(ids.filter(isUuid))];
  if (wanted.length === 0) return new Map();
  const rows: { asked: string; survivor: string | null }[] = await db.query(
    `${survivorChain}
     select a.asked::text, s.id::text as survivor
       from (select distinct asked from chain) a left join survivor s on s.asked = a.asked`,
    [wanted],
  );
  return new Map(rows.map((row) => [row.asked, row.survivor]));
}

/**
 * For a query of another module that must read, in its own round trip, records kept against the ids merged
 * into the persons asked (an objection recorded before a merge, read on every decision): the entry
 * `name (id, survivor)` of a `with recursive` clause, holding each asked id (`param`, a uuid[] parameter)
 * as its own survivor and every id merged into it, to any depth. The only SQL of the person table handed out.
 */
export const mergedIdsCte = (name: string, param: string): string =>
  `${name} (id, survivor) as (
         select id, id from unnest(${param}::uuid[]) as asked(id)
         union
         select p.id, m.survivor from person p join ${name} m on p.merged_into = m.id)`;

/**
 * The identity module's read port over the person index (`person`, `person_link`, `source_record`): every
 * other folder reads persons and their linked records through this class or the functions of this folder,
 * never the tables themselves (src/identity/directory/table-owners.spec.ts). Batched (many persons per
 * query), never a write.
 */
@Injectable()
export class PersonDirectory implements HomeEvidence, SubjectIdentities {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The active person each id stands for (itself, or the survivor it was merged into, followed to the end),
   * with that person's index rows, in one query: a person view costs one read of the index.
   */
  async survivorsIndexed(ids: readonly string[]): Promise<Map<string, IndexedPerson>> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return new Map();
    const rows = await preparedQuery<
      Partial<LinkRow> & { asked: string; survivor: string; date_of_death: string | null }
    >(
      this.dataSource,
      `${survivorChain}
       select s.asked::text, s.id::text as survivor, to_char(d.date_of_death, 'YYYY-MM-DD') as date_of_death, x.*
         from survivor s
         join person d on d.id = s.id
         left join lateral ${linksOf('s.id')} x on true
        order by x.source, x.source_key`,
      [wanted],
    );
    // Several asked ids may stand for one survivor: its rows are taken once, from the first of them.
    const firstAsked = new Map<string, string>();
    for (const row of rows) if (!firstAsked.has(row.survivor)) firstAsked.set(row.survivor, row.asked);
    const links = rows.filter(
      (row): row is LinkRow & { asked: string; survivor: string; date_of_death: string | null } =>
        row.person_id !== null && firstAsked.get(row.survivor) === row.asked,
    );
    const deaths = new Map(rows.map((row) => [row.survivor, row.date_of_death]));
    const indexed = assemble([...firstAsked.keys()], links, deaths);
    return new Map(rows.map((row) => [row.asked, indexed.get(row.survivor)!]));
  }

  /**
   * The index rows of everyone who is or was a member of the household, by person: read alongside the
   * household itself (both need only its id), so that they are in memory before its members' decisions.
   */
  async householdMembersIndexed(householdId: string): Promise<Map<string, IndexedPerson>> {
    if (!isUuid(householdId)) return new Map();
    const rows = await preparedQuery<Partial<LinkRow> & { member: string; date_of_death: string | null }>(
      this.dataSource,
      `select m.person_id::text as member, to_char(d.date_of_death, 'YYYY-MM-DD') as date_of_death, x.*
         from (select distinct person_id from household_membership where household_id = $1) m
         join person d on d.id = m.person_id
         left join lateral ${linksOf('m.person_id')} x on true
        order by x.source, x.source_key`,
      [householdId],
    );
    const links = rows.filter(
      (row): row is LinkRow & { member: string; date_of_death: string | null } => row.person_id !== null,
    );
    const deaths = new Map(rows.map((row) => [row.member, row.date_of_death]));
    return assemble([...new Set(rows.map((row) => row.member))], links, deaths);
  }

  /**
   * Every id that stands for the same person as `personId` (the audit module's SubjectIdentities): the end
   * of its merge chain (as `survivorChain` follows it, taken even when the chain is broken, so that a DPO
   * still sees every id involved) and every id merged into that end, `personId` first.
   */
  async samePersonIds(personId: string): Promise<string[]> {
    if (!isUuid(personId) || !(await this.hasIndex('person'))) return [personId];
    const rows: { id: string }[] = await this.dataSource.query(
      `${survivorChain},
       top as (select id from chain order by depth desc limit 1),
       down (id) as (
         select id from top
         union
         select p.id from person p join down d on p.merged_into = d.id)
       select id::text from down`,
      [[personId]],
    );
    return [...new Set([personId, personId.toLowerCase(), ...rows.map((r) => r.id).sort()])];
  }

  /** Every source record linked to these persons, deleted ones too, every column (a subject access report). */
  async linkedRecords(personIds: readonly string[]): Promise<{ searched: boolean; records: SourceRecordEntry[] }> {
    if (!(await this.hasIndex('source_record', 'person_link'))) return { searched: false, records: [] };
    // Hub person ids are UUIDs; anything else names no one in the index.
    const ids = personIds.filter(isUuid);
    if (ids.length === 0) return { searched: true, records: [] };
    const rows: { record: Record<string, unknown> }[] = await this.dataSource.query(
      `select to_jsonb(sr) as record from source_record sr join person_link pl on pl.source_record_id = sr.id
       where pl.person_id = any($1::uuid[]) order by sr.source, sr.source_key`,
      [ids],
    );
    return {
      searched: true,
      records: rows.map(({ record }) => ({
        source: String(record.source ?? ''),
        sourceKey: String(record.source_key ?? ''),
        record,
      })),
    };
  }

  /** Whether the index's tables exist (a database migrated only as far as the audit trail has none). */
  private async hasIndex(...tables: string[]): Promise<boolean> {
    const [found]: { ok: boolean }[] = await this.dataSource.query(
      `select bool_and(to_regclass(t) is not null) as ok from unnest($1::text[]) as t`,
      [tables],
    );
    return found.ok;
  }

  /** The sources holding a live (undeleted) record of each person; persons with none have no entry. */
  async liveSources(personIds: readonly string[]): Promise<Map<string, string[]>> {
    const wanted = [...new Set(personIds.filter(isUuid))];
    const rows: { person_id: string; sources: string[] }[] = wanted.length
      ? await this.dataSource.query(
          `select l.person_id::text, array_agg(distinct r.source order by r.source) as sources
             from person_link l join source_record r on r.id = l.source_record_id and not r.deleted
            where l.person_id = any($1::uuid[]) group by l.person_id`,
          [wanted],
        )
      : [];
    return new Map(rows.map((row) => [row.person_id, row.sources]));
  }

  /** Every active person's live records, with what households are resolved from (households' HomeEvidence). */
  async homeEvidence(db: Queryable): Promise<PersonHomeEvidence[]> {
    const rows: {
      person_id: string;
      source: string;
      demographics: IdentityFields;
      household_hints: HouseholdHint[];
      seen: Date;
      deceased: boolean;
    }[] = await db.query(
      `select l.person_id::text, r.source, r.demographics, r.household_hints, coalesce(r.source_updated_at, r.first_seen_at) as seen,
              p.date_of_death is not null as deceased
         from person_link l join source_record r on r.id = l.source_record_id join person p on p.id = l.person_id
        where not r.deleted and p.status = 'active'
       union all
       select x.person_id::text, 'hub', x.fields, x.household_hints, x.reported_at, p.date_of_death is not null
         from person_reported_identity x join person p on p.id = x.person_id
        where x.withdrawn_at is null and p.status = 'active'`,
    );
    // A move or a birth reported (Tell Us Once) counts as the newest record, until a source changes after it;
    // a person whose death was reported is no one's household member.
    const people = new Map<string, PersonHomeEvidence>();
    for (const row of rows) {
      const person = people.get(row.person_id) ?? {
        personId: row.person_id,
        records: [],
        ...(row.deceased ? { deceased: true } : {}),
      };
      const d = row.demographics ?? {};
      person.records.push({
        source: row.source,
        uprn: d.uprn,
        postcode: d.postcode,
        addressLines: d.addressLines,
        hints: row.household_hints ?? [],
        lastSeen: new Date(row.seen).toISOString(),
      });
      people.set(row.person_id, person);
    }
    return [...people.values()];
  }

  /** Linked, undeleted source records of each person, with the golden identity worked out over them. */
  async indexed(personIds: readonly string[]): Promise<Map<string, IndexedPerson>> {
    const rows: LinkRow[] = personIds.length
      ? await preparedQuery<LinkRow>(
          this.dataSource,
          `select x.* from unnest($1::uuid[]) as p (id) cross join lateral ${linksOf('p.id')} x
            order by x.source, x.source_key`,
          [[...new Set(personIds.filter(isUuid))]],
        )
      : [];
    return assemble(personIds, rows);
  }
}

/** Index rows grouped per person, with each person's golden identity and keys per source. */
function assemble(
  personIds: readonly string[],
  rows: readonly LinkRow[],
  deaths: ReadonlyMap<string, string | null> = new Map(),
): Map<string, IndexedPerson> {
  const byPerson = new Map<string, LinkedRecord[]>();
  const reportedBy = new Map<string, RecordEvidence[]>();
  for (const row of rows) {
    if (row.method === REPORTED_METHOD) {
      // A life event's report: weighed by the golden identity, never a record a source is asked about.
      const reported = reportedBy.get(row.person_id) ?? [];
      reported.push({
        source: row.source,
        sourceKey: row.source_key,
        lastSeen: new Date(row.seen).toISOString(),
        fields: row.demographics ?? {},
      });
      reportedBy.set(row.person_id, reported);
      continue;
    }
    const list = byPerson.get(row.person_id) ?? [];
    list.push({
      recordId: row.record_id,
      source: row.source,
      sourceKey: row.source_key,
      lastSeen: new Date(row.seen).toISOString(),
      fields: row.demographics ?? {},
      method: row.method,
      weight: row.weight,
      probability: row.probability,
      decidedBy: row.decided_by,
      decidedAt: new Date(row.decided_at).toISOString(),
      explanation: row.explanation,
      changedAt: new Date(row.changed).toISOString(),
    });
    byPerson.set(row.person_id, list);
  }
  const result = new Map<string, IndexedPerson>();
  for (const personId of personIds) {
    const records = byPerson.get(personId) ?? [];
    const keys = new Map<string, string[]>();
    for (const record of records) keys.set(record.source, [...(keys.get(record.source) ?? []), record.sourceKey]);
    let golden: GoldenIdentity | undefined;
    const reported = reportedBy.get(personId) ?? [];
    const dateOfDeath = deaths.get(personId) ?? undefined;
    // Worked out when first read (while the sources are being asked), not while the decision waits on it.
    result.set(personId, {
      personId,
      records,
      keys,
      ...(dateOfDeath ? { dateOfDeath } : {}),
      get golden() {
        return (golden ??= withDeath(goldenIdentity(records, DEFAULT_SOURCE_TRUST, reported), dateOfDeath));
      },
    });
  }
  return result;
}
