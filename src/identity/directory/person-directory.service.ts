import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { IdentityFields } from '../../sources/identity-fields';
import { goldenIdentity, GoldenIdentity } from '../persons/golden-identity';

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
}

/** What the index knows about a person: their linked records and the golden identity over them. */
export interface IndexedPerson {
  personId: string;
  records: LinkedRecord[];
  golden: GoldenIdentity;
  /** Source id → the person's keys there. */
  keys: Map<string, string[]>;
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
}

const linkColumns = `l.person_id::text, r.id::text as record_id, r.source, r.source_key, r.demographics, coalesce(r.source_updated_at, r.last_seen_at) as seen,
                     l.method, l.weight, l.probability, l.decided_by, l.decided_at, l.explanation`;

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
 * The identity module's read port over the person index (`person`, `person_link`, `source_record`): every
 * other folder reads persons and their linked records through this class or the functions of this folder,
 * never the tables themselves (test/integration/table-owners.int-spec.ts). Batched (many persons per
 * query), never a write.
 */
@Injectable()
export class PersonDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * The active person each id stands for (itself, or the survivor it was merged into, followed to the end),
   * with that person's index rows, in one query: a person view costs one read of the index.
   */
  async survivorsIndexed(ids: readonly string[]): Promise<Map<string, IndexedPerson>> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return new Map();
    const rows = await preparedQuery<Partial<LinkRow> & { asked: string; survivor: string }>(
      this.dataSource,
      `${survivorChain}
       select s.asked::text, s.id::text as survivor, x.*
         from survivor s
         left join lateral (select ${linkColumns} from person_link l join source_record r on r.id = l.source_record_id
                             where l.person_id = s.id and not r.deleted) x on true
        order by x.source, x.source_key`,
      [wanted],
    );
    // Several asked ids may stand for one survivor: its rows are taken once, from the first of them.
    const firstAsked = new Map<string, string>();
    for (const row of rows) if (!firstAsked.has(row.survivor)) firstAsked.set(row.survivor, row.asked);
    const links = rows.filter(
      (row): row is LinkRow & { asked: string; survivor: string } =>
        row.person_id !== null && firstAsked.get(row.survivor) === row.asked,
    );
    const indexed = assemble([...firstAsked.keys()], links);
    return new Map(rows.map((row) => [row.asked, indexed.get(row.survivor)!]));
  }

  /**
   * The index rows of everyone who is or was a member of the household, by person: read alongside the
   * household itself (both need only its id), so that they are in memory before its members' decisions.
   */
  async householdMembersIndexed(householdId: string): Promise<Map<string, IndexedPerson>> {
    if (!isUuid(householdId)) return new Map();
    const rows = await preparedQuery<Partial<LinkRow> & { member: string }>(
      this.dataSource,
      `select m.person_id::text as member, x.*
         from (select distinct person_id from household_membership where household_id = $1) m
         left join lateral (select ${linkColumns} from person_link l join source_record r on r.id = l.source_record_id
                             where l.person_id = m.person_id and not r.deleted) x on true
        order by x.source, x.source_key`,
      [householdId],
    );
    const links = rows.filter((row): row is LinkRow & { member: string } => row.person_id !== null);
    return assemble([...new Set(rows.map((row) => row.member))], links);
  }

  /** Linked, undeleted source records of each person, with the golden identity worked out over them. */
  async indexed(personIds: readonly string[]): Promise<Map<string, IndexedPerson>> {
    const rows: LinkRow[] = personIds.length
      ? await preparedQuery<LinkRow>(
          this.dataSource,
          `select ${linkColumns}
             from person_link l join source_record r on r.id = l.source_record_id
            where l.person_id = any($1::uuid[]) and not r.deleted
            order by r.source, r.source_key`,
          [[...new Set(personIds.filter(isUuid))]],
        )
      : [];
    return assemble(personIds, rows);
  }
}

/** Index rows grouped per person, with each person's golden identity and keys per source. */
function assemble(personIds: readonly string[], rows: readonly LinkRow[]): Map<string, IndexedPerson> {
  const byPerson = new Map<string, LinkedRecord[]>();
  for (const row of rows) {
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
    });
    byPerson.set(row.person_id, list);
  }
  const result = new Map<string, IndexedPerson>();
  for (const personId of personIds) {
    const records = byPerson.get(personId) ?? [];
    const keys = new Map<string, string[]>();
    for (const record of records) keys.set(record.source, [...(keys.get(record.source) ?? []), record.sourceKey]);
    let golden: GoldenIdentity | undefined;
    // Worked out when first read (while the sources are being asked), not while the decision waits on it.
    result.set(personId, {
      personId,
      records,
      keys,
      get golden() {
        return (golden ??= goldenIdentity(records));
      },
    });
  }
  return result;
}
