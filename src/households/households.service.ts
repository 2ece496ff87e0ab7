import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { HomeEvidence } from './home-evidence';
import { ExistingHousehold, resolveHouseholds } from './household-resolution';

export interface HouseholdRunSummary {
  households: number;
  created: number;
  joined: number;
  left: number;
}

/**
 * Keeps `household` and `household_membership` in step with the person index: re-resolves every active
 * person's home from their live source records (HomeEvidence, the identity module's), then records who joined and left which household (a
 * membership is closed, never deleted, so the history of moves stays). The access module reads the
 * current memberships (a case held for a household covers its members) with its case assignments.
 */
@Injectable()
export class HouseholdsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly evidence: HomeEvidence,
  ) {}

  async resolveAll(now = new Date()): Promise<HouseholdRunSummary> {
    return this.dataSource.transaction(async (db) => {
      await db.query(`select pg_advisory_xact_lock(hashtext('households'))`);
      const resolved = resolveHouseholds(await this.evidence.homeEvidence(db), await this.existing(db), now);
      const current = await this.currentMemberships(db);
      const summary: HouseholdRunSummary = { households: resolved.length, created: 0, joined: 0, left: 0 };
      const placed = new Set<string>();
      for (const household of resolved) {
        let id = household.existingId;
        if (id) {
          await db.query(
            'update household set uprn = $2, postcode = $3, address_lines = $4, updated_at = now() where id = $1',
            [id, household.uprn ?? null, household.postcode ?? null, JSON.stringify(household.addressLines ?? null)],
          );
        } else {
          id = randomUUID();
          await db.query(
            'insert into household (id, address_key, uprn, postcode, address_lines) values ($1, $2, $3, $4, $5)',
            [
              id,
              household.addressKey,
              household.uprn ?? null,
              household.postcode ?? null,
              JSON.stringify(household.addressLines ?? null),
            ],
          );
          summary.created++;
        }
        for (const member of household.members) {
          placed.add(member.personId);
          const existing = current.get(member.personId);
          if (existing?.householdId === id) {
            await db.query('update household_membership set role = $2, evidence = $3 where id = $1', [
              existing.id,
              member.role ?? null,
              JSON.stringify(member.evidence),
            ]);
            continue;
          }
          if (existing) await this.close(db, existing.id, now);
          await db.query(
            'insert into household_membership (household_id, person_id, role, valid_from, evidence) values ($1, $2, $3, $4, $5)',
            [id, member.personId, member.role ?? null, now, JSON.stringify(member.evidence)],
          );
          summary.joined++;
          if (existing) summary.left++;
        }
      }
      for (const [personId, membership] of current) {
        if (placed.has(personId)) continue;
        await this.close(db, membership.id, now);
        summary.left++;
      }
      return summary;
    });
  }

  private async existing(db: EntityManager): Promise<ExistingHousehold[]> {
    const rows: { id: string; address_key: string; members: string[] }[] = await db.query(
      `select h.id::text, h.address_key, coalesce(array_agg(m.person_id::text) filter (where m.id is not null), '{}') as members
         from household h left join household_membership m on m.household_id = h.id and m.valid_to is null
        group by h.id order by h.created_at, h.id`,
    );
    return rows.map((r) => ({ id: r.id, addressKey: r.address_key, members: r.members }));
  }

  private async currentMemberships(db: EntityManager): Promise<Map<string, { id: string; householdId: string }>> {
    const rows: { id: string; person_id: string; household_id: string }[] = await db.query(
      'select id::text, person_id::text, household_id::text from household_membership where valid_to is null',
    );
    return new Map(rows.map((r) => [r.person_id, { id: r.id, householdId: r.household_id }]));
  }

  private close(db: EntityManager, membershipId: string, now: Date) {
    return db.query('update household_membership set valid_to = $2 where id = $1', [membershipId, now]);
  }
}
