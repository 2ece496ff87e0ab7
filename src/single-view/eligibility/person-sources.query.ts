import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface PersonSources {
  /** The surviving person (the asked id, or the person it was merged into). */
  personId: string;
  /** Source id → the person's live source keys there (deleted source records excluded). */
  keys: Map<string, string[]>;
}

/**
 * Where the person's service data lives: the person (following merges to the survivor) and, for each
 * source, the keys of the source records linked to them. Reads the identity index only; no service data.
 */
@Injectable()
export class PersonSourcesQuery {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The surviving person id, or undefined when the hub knows no such person. */
  async survivor(personId: string): Promise<string | undefined> {
    // Merges are repointed to the final survivor, so one hop is normal; the bound stops a corrupt cycle.
    const rows: { id: string }[] = await this.db.query(
      `with recursive chain(id, merged_into, hops) as (
         select id, merged_into, 0 from person where id = $1
         union all
         select p.id, p.merged_into, c.hops + 1 from person p join chain c on p.id = c.merged_into where c.hops < 16)
       select id::text from chain where merged_into is null limit 1`,
      [personId],
    );
    return rows[0]?.id;
  }

  async keysOf(personId: string, sources: readonly string[]): Promise<Map<string, string[]>> {
    const rows: { source: string; source_key: string }[] = await this.db.query(
      `select r.source, r.source_key from person_link l join source_record r on r.id = l.source_record_id
        where l.person_id = $1 and not r.deleted and r.source = any($2::text[]) order by r.source, r.source_key`,
      [personId, [...sources]],
    );
    const keys = new Map<string, string[]>();
    for (const row of rows) keys.set(row.source, [...(keys.get(row.source) ?? []), row.source_key]);
    return keys;
  }
}
