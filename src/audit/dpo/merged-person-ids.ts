import type { DataSource } from 'typeorm';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Every id that stands for the same person as `personId` in the identity index: the survivor it was merged
 * into (followed to the end) and every id merged into that survivor, `personId` first. A merge says the
 * ids are one human being, so what was seen through any of them is about that person: a subject access
 * report or access timeline of one id that left out events naming another would hide disclosures (a view
 * of the survivor, or of the merged id before the merge). Just `personId` when the hub has no identity
 * index (the audit module stands alone) or the id is not a person id.
 */
export async function mergedPersonIds(dataSource: Pick<DataSource, 'query'>, personId: string): Promise<string[]> {
  if (!uuid.test(personId)) return [personId];
  const [index]: { ok: boolean }[] = await dataSource.query(`select to_regclass('person') is not null as ok`);
  if (!index.ok) return [personId];
  const rows: { id: string }[] = await dataSource.query(
    `with recursive up (id, merged_into, depth) as (
       select id, merged_into, 0 from person where id = $1::uuid
       union all
       select p.id, p.merged_into, u.depth + 1 from person p join up u on p.id = u.merged_into where u.depth < 32),
     survivor as (select id from up order by depth desc limit 1),
     down (id) as (
       select id from survivor
       union
       select p.id from person p join down d on p.merged_into = d.id)
     select id::text from down`,
    [personId],
  );
  return [...new Set([personId, personId.toLowerCase(), ...rows.map((r) => r.id).sort()])];
}
