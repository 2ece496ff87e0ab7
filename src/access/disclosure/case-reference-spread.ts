import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** What admitting persons under a case reference found. */
export interface SpreadAnswer {
  allowed: boolean;
  /** Distinct persons the reference would cover within the period, these included. */
  covered: number;
}

/**
 * The persons disclosed under each case reference of an organisation, over a sliding period: a case is
 * about a few people (a person, a family), so a reference covering many is either a shared placeholder
 * ("x", "n/a") or a harvest. Kept in a small table (`case_reference_person`) rather than counted from the
 * audit trail: the count is asked for on every disclosure with a case reference, and the trail is large,
 * partitioned and written to by a function of its own. Rows older than the period are deleted when the
 * reference is next used, so nothing is kept longer than it counts.
 */
@Injectable()
export class CaseReferenceSpread {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Admits `personIds` under (organisation, caseReference) if the reference then covers at most `max`
   * distinct persons within the last `periodDays`; records them only then. Serialised per reference, so
   * concurrent requests (every instance) cannot each slip under the limit.
   */
  admit(
    organisation: string,
    caseReference: string,
    personIds: string[],
    max: number,
    periodDays: number,
  ): Promise<SpreadAnswer> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock(hashtext($1))', [`case-reference:${organisation}/${caseReference}`]);
      await tx.query(
        `delete from case_reference_person where organisation = $1 and case_reference = $2 and last_disclosed_at <= now() - make_interval(days => $3)`,
        [organisation, caseReference, periodDays],
      );
      const rows: { person_id: string }[] = await tx.query(
        'select person_id::text from case_reference_person where organisation = $1 and case_reference = $2',
        [organisation, caseReference],
      );
      const covered = new Set([...rows.map((row) => row.person_id), ...personIds]);
      if (covered.size > max) return { allowed: false, covered: covered.size };
      await tx.query(
        `insert into case_reference_person (organisation, case_reference, person_id)
         select $1, $2, unnest($3::uuid[])
         on conflict (organisation, case_reference, person_id) do update set last_disclosed_at = now()`,
        [organisation, caseReference, [...new Set(personIds)]],
      );
      return { allowed: true, covered: covered.size };
    });
  }
}
