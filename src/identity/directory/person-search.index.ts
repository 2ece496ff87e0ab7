import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface SearchCriteria {
  givenName?: string;
  familyName?: string;
  /** ISO yyyy-mm-dd. */
  dateOfBirth?: string;
  /** Normalised: upper case, no spaces. */
  postcode?: string;
  /** Normalised: upper case, no spaces. */
  nino?: string;
}

export interface SearchHit {
  personId: string;
  /** Ranked searches only. */
  score?: number;
}

/** How much each criterion counts; the score is the weighted mean over the criteria given (0 to 1). */
const WEIGHTS = { familyName: 3, givenName: 2, dateOfBirth: 2.5, postcode: 1, nino: 4 } as const;
/** Below this a candidate is noise (e.g. only the postcode agrees). */
export const MIN_SCORE = 0.45;
/** Source records considered per search, at most: the candidate step is indexed, the scoring is not. */
const CANDIDATE_LIMIT = 5000;

/**
 * People search in SQL over the live source records' demographics (the identity module's read port for
 * search), in two modes.
 *
 * Ranked (for a caller who may see every attribute searched by, about anyone it may find): typo-tolerant.
 * Candidates come from indexes (trigram similarity or equal double-metaphone codes on names, exact date of
 * birth, NINO or postcode); each is scored per record, and a person scores their best record. Names score
 * the best of trigram similarity and a sound-alike match (so "Jon Smyth" finds "John Smith"); a date of
 * birth with day and month swapped or a year out scores part. Ranked by score, then id.
 *
 * Exact (for a caller who may learn no more than that a match exists): a person matches when their records
 * agree with every criterion given: names equal, sounding alike or equal to one of their words; date of
 * birth, postcode and NINO equal.
 * Nothing is scored, so nothing partial can show through; ordered by person id.
 *
 * Criteria with nothing to search by are the caller's error to refuse (`hasCriteria`); here they throw.
 */
@Injectable()
export class PersonSearchIndex {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Ranked hits after `after` (score, then id), at most `limit`. */
  async ranked(
    criteria: SearchCriteria,
    after: Required<SearchHit> | undefined,
    limit: number,
  ): Promise<Required<SearchHit>[]> {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const candidates: string[] = [];
    const parts: { weight: number; sql: string }[] = [];
    const nameScore = (field: string, value: string) => {
      const v = p(value.toLowerCase());
      const column = `lower(r.demographics ->> '${field}')`;
      candidates.push(`${column} % ${v}`, `dmetaphone(r.demographics ->> '${field}') = dmetaphone(${v})`);
      return `coalesce(greatest(similarity(${column}, ${v}), case when dmetaphone(r.demographics ->> '${field}') = dmetaphone(${v}) then 0.85 else 0 end), 0)`;
    };
    if (criteria.familyName)
      parts.push({ weight: WEIGHTS.familyName, sql: nameScore('familyName', criteria.familyName) });
    if (criteria.givenName) {
      const sql = nameScore('givenName', criteria.givenName);
      // A given name alone finds too many to be a useful way in when a family name is given too.
      if (criteria.familyName) candidates.splice(-2, 2);
      parts.push({ weight: WEIGHTS.givenName, sql });
    }
    if (criteria.dateOfBirth) {
      const dob = p(criteria.dateOfBirth);
      candidates.push(`r.demographics ->> 'dateOfBirth' = ${dob}`);
      parts.push({ weight: WEIGHTS.dateOfBirth, sql: dateScore(`r.demographics ->> 'dateOfBirth'`, dob) });
    }
    if (criteria.postcode) {
      const postcode = p(criteria.postcode);
      candidates.push(`upper(replace(r.demographics ->> 'postcode', ' ', '')) = ${postcode}`);
      parts.push({
        weight: WEIGHTS.postcode,
        sql: `case when upper(replace(r.demographics ->> 'postcode', ' ', '')) = ${postcode} then 1 else 0 end`,
      });
    }
    if (criteria.nino) {
      const nino = p(criteria.nino);
      candidates.push(`r.demographics ->> 'nino' = ${nino}`);
      parts.push({ weight: WEIGHTS.nino, sql: `case when r.demographics ->> 'nino' = ${nino} then 1 else 0 end` });
    }
    if (parts.length === 0) throw new Error('Search by at least one of: name, date of birth, postcode, NINO');
    const total = parts.reduce((sum, part) => sum + part.weight, 0);
    const score = `round(((${parts.map((part) => `${part.weight} * ${part.sql}`).join(' + ')}) / ${total})::numeric, 4)`;
    const cursor = after
      ? `and (s.score < ${p(after.score)} or (s.score = ${p(after.score)} and s.person_id > ${p(after.personId)}::uuid))`
      : '';
    const rows: { person_id: string; score: string }[] = await this.dataSource.query(
      `with candidate as (
         select r.id, ${score} as score from source_record r
          where not r.deleted and (${candidates.join(' or ')})
          limit ${CANDIDATE_LIMIT}
       ), scored as (
         select l.person_id, max(c.score) as score
           from candidate c join person_link l on l.source_record_id = c.id join person pe on pe.id = l.person_id and pe.status = 'active'
          group by l.person_id
       )
       select s.person_id::text, s.score::text from scored s
        where s.score >= ${MIN_SCORE} ${cursor}
        order by s.score desc, s.person_id
        limit ${p(limit)}`,
      params,
    );
    return rows.map((r) => ({ personId: r.person_id, score: Number(r.score) }));
  }

  /**
   * Persons whose live records agree with every criterion (each criterion by one record or another of
   * theirs), by id after `afterId`, at most `limit`. Candidates come from the exact attributes' indexes.
   */
  async exact(criteria: SearchCriteria, afterId: string | undefined, limit: number): Promise<SearchHit[]> {
    const params: unknown[] = [];
    const p = (value: unknown) => `$${params.push(value)}`;
    const ways: string[] = [];
    const agree: string[] = [];
    // A name agrees when equal, sounding alike, or equal to one of its words ("Souza" for "De Souza").
    const name = (field: string, value: string) => {
      const v = p(value.toLowerCase());
      const column = `r.demographics ->> '${field}'`;
      agree.push(
        `(lower(${column}) = ${v} or dmetaphone(${column}) = dmetaphone(${v}) or ${v} = any(regexp_split_to_array(lower(${column}), '[[:space:]-]+')))`,
      );
    };
    const exactly = (expression: string, value: string) => {
      const condition = `${expression} = ${p(value)}`;
      ways.push(condition);
      agree.push(condition);
    };
    if (criteria.dateOfBirth) exactly(`r.demographics ->> 'dateOfBirth'`, criteria.dateOfBirth);
    if (criteria.postcode) exactly(`upper(replace(r.demographics ->> 'postcode', ' ', ''))`, criteria.postcode);
    if (criteria.nino) exactly(`r.demographics ->> 'nino'`, criteria.nino);
    if (criteria.familyName) name('familyName', criteria.familyName);
    if (criteria.givenName) name('givenName', criteria.givenName);
    if (agree.length === 0) throw new Error('Search by at least one of: name, date of birth, postcode, NINO');
    const after = afterId ? `and h.person_id > ${p(afterId)}::uuid` : '';
    const rows: { person_id: string }[] = await this.dataSource.query(
      `with hit as (
         select distinct l.person_id from source_record r join person_link l on l.source_record_id = r.id
          where not r.deleted and (${(ways.length > 0 ? ways : agree).join(' or ')})
       )
       select h.person_id::text
         from hit h join person pe on pe.id = h.person_id and pe.status = 'active'
         join person_link l on l.person_id = h.person_id join source_record r on r.id = l.source_record_id and not r.deleted
        where true ${after}
        group by h.person_id
       having ${agree.map((condition) => `bool_or(coalesce(${condition}, false))`).join(' and ')}
        order by h.person_id
        limit ${p(limit)}`,
      params,
    );
    return rows.map((r) => ({ personId: r.person_id }));
  }
}

/** Exact: 1; day and month swapped: 0.6; same day and month, year one out: 0.5; same year and month: 0.3. */
function dateScore(column: string, value: string): string {
  return `case
    when ${column} = ${value} then 1
    when ${column} = substr(${value}, 1, 5) || substr(${value}, 9, 2) || '-' || substr(${value}, 6, 2) then 0.6
    when ${column} ~ '^[0-9]{4}-' and substr(${column}, 6, 5) = substr(${value}, 6, 5) and abs(substr(${column}, 1, 4)::int - substr(${value}, 1, 4)::int) = 1 then 0.5
    when substr(${column}, 1, 7) = substr(${value}, 1, 7) then 0.3
    else 0 end`;
}

/** Whether the criteria name anything the search can look by. */
export function hasCriteria(criteria: SearchCriteria): boolean {
  return Boolean(
    criteria.givenName || criteria.familyName || criteria.dateOfBirth || criteria.postcode || criteria.nino,
  );
}
