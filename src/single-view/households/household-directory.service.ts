import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { isUuid } from '../../identity/directory/person-directory.service';

export interface HouseholdRecord {
  id: string;
  uprn: string | null;
  postcode: string | null;
  addressLines: string[] | null;
  memberships: MembershipRecord[];
}

export interface MembershipRecord {
  personId: string;
  role: string | null;
  validFrom: Date;
  validTo: Date | null;
}

/** Reads of households and their membership history for the single view. */
@Injectable()
export class HouseholdDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async byIds(ids: readonly string[]): Promise<HouseholdRecord[]> {
    const wanted = [...new Set(ids.filter(isUuid))];
    if (wanted.length === 0) return [];
    return this.load('h.id = any($1::uuid[])', [wanted], 'h.id', wanted.length);
  }

  /** The household each person lives in now. */
  async currentOf(personIds: readonly string[]): Promise<Map<string, string>> {
    const rows: { person_id: string; household_id: string }[] = personIds.length
      ? await this.dataSource.query(
          'select person_id::text, household_id::text from household_membership where person_id = any($1::uuid[]) and valid_to is null',
          [personIds.filter(isUuid)],
        )
      : [];
    return new Map(rows.map((r) => [r.person_id, r.household_id]));
  }

  /** Households at a UPRN, or at a postcode (optionally narrowed by part of the first address line). */
  async atAddress(
    where: { uprn?: string; postcode?: string; addressLine?: string },
    limit: number,
  ): Promise<HouseholdRecord[]> {
    if (where.uprn) return this.load('h.uprn = $1', [where.uprn], 'h.created_at, h.id', limit);
    return this.load(
      `upper(replace(h.postcode, ' ', '')) = $1 and ($2::text is null or lower(h.address_lines ->> 0) like '%' || lower($2) || '%')`,
      [where.postcode!.replace(/\s+/g, '').toUpperCase(), where.addressLine ?? null],
      'h.created_at, h.id',
      limit,
    );
  }

  /** Households and their whole membership history, in one query. */
  private async load(where: string, params: unknown[], order: string, limit: number): Promise<HouseholdRecord[]> {
    const rows: {
      id: string;
      uprn: string | null;
      postcode: string | null;
      address_lines: string[] | null;
      memberships: { personId: string; role: string | null; validFrom: string; validTo: string | null }[];
    }[] = await preparedQuery(
      this.dataSource,
      `select h.id::text, h.uprn, h.postcode, h.address_lines,
              coalesce(json_agg(json_build_object('personId', m.person_id, 'role', m.role, 'validFrom', m.valid_from, 'validTo', m.valid_to)
                                order by (m.valid_to is null) desc, m.valid_from, m.person_id) filter (where m.id is not null), '[]') as memberships
         from household h left join household_membership m on m.household_id = h.id
        where ${where}
        group by h.id order by ${order} limit ${Number(limit)}`,
      params,
    );
    return rows.map((row) => ({
      id: row.id,
      uprn: row.uprn,
      postcode: row.postcode,
      addressLines: row.address_lines,
      memberships: row.memberships.map((m) => ({
        personId: m.personId,
        role: m.role,
        validFrom: new Date(m.validFrom),
        validTo: m.validTo ? new Date(m.validTo) : null,
      })),
    }));
  }
}
