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
      const changes: Changes = { created: [], kept: [], closed: [], joined: [], stayed: [] };
      const placed = new Set<string>();
      for (const household of resolved) {
        const id = household.existingId ?? randomUUID();
        const address = {
          id,
          addressKey: household.addressKey,
          uprn: household.uprn ?? null,
          postcode: household.postcode ?? null,
          addressLines: JSON.stringify(household.addressLines ?? null),
        };
        if (household.existingId) changes.kept.push(address);
        else changes.created.push(address);
        for (const member of household.members) {
          placed.add(member.personId);
          const existing = current.get(member.personId);
          const membership = { role: member.role ?? null, evidence: JSON.stringify(member.evidence) };
          if (existing?.householdId === id) {
            changes.stayed.push({ id: existing.id, ...membership });
            continue;
          }
          if (existing) changes.closed.push(existing.id);
          changes.joined.push({ householdId: id, personId: member.personId, ...membership });
        }
      }
      for (const [personId, membership] of current) if (!placed.has(personId)) changes.closed.push(membership.id);
      await this.write(db, changes, now);
      return {
        households: resolved.length,
        created: changes.created.length,
        joined: changes.joined.length,
        left: changes.closed.length,
      };
    });
  }

  /**
   * The run's result in a few set-based statements (arrays through `unnest`), not a statement a row: a
   * borough's run is a handful of round trips whatever its size. A household or membership whose address,
   * role and evidence are unchanged is not written again. Memberships are closed before any is opened
   * (a person has at most one current membership: `household_membership_current`).
   */
  private async write(db: EntityManager, changes: Changes, now: Date): Promise<void> {
    for (const rows of chunks(changes.created))
      await db.query(
        `insert into household (id, address_key, uprn, postcode, address_lines)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.addressKey),
          rows.map((r) => r.uprn),
          rows.map((r) => r.postcode),
          rows.map((r) => r.addressLines),
        ],
      );
    for (const rows of chunks(changes.kept))
      await db.query(
        `update household h set uprn = v.uprn, postcode = v.postcode, address_lines = v.address_lines, updated_at = now()
           from unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) as v (id, uprn, postcode, address_lines)
          where h.id = v.id
            and (h.uprn is distinct from v.uprn or h.postcode is distinct from v.postcode
                 or h.address_lines is distinct from v.address_lines)`,
        [rows.map((r) => r.id), rows.map((r) => r.uprn), rows.map((r) => r.postcode), rows.map((r) => r.addressLines)],
      );
    for (const ids of chunks(changes.closed))
      await db.query('update household_membership set valid_to = $2 where id = any($1::bigint[])', [ids, now]);
    for (const rows of chunks(changes.stayed))
      await db.query(
        `update household_membership m set role = v.role, evidence = v.evidence
           from unnest($1::bigint[], $2::text[], $3::jsonb[]) as v (id, role, evidence)
          where m.id = v.id and (m.role is distinct from v.role or m.evidence is distinct from v.evidence)`,
        [rows.map((r) => r.id), rows.map((r) => r.role), rows.map((r) => r.evidence)],
      );
    for (const rows of chunks(changes.joined))
      await db.query(
        `insert into household_membership (household_id, person_id, role, valid_from, evidence)
         select household_id, person_id, role, $5, evidence
           from unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) as v (household_id, person_id, role, evidence)`,
        [
          rows.map((r) => r.householdId),
          rows.map((r) => r.personId),
          rows.map((r) => r.role),
          rows.map((r) => r.evidence),
          now,
        ],
      );
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
}

/** What a run writes: households new and kept (with their address), memberships closed, opened and kept. */
interface Changes {
  created: HouseholdAddress[];
  kept: HouseholdAddress[];
  closed: string[];
  joined: { householdId: string; personId: string; role: string | null; evidence: string }[];
  stayed: { id: string; role: string | null; evidence: string }[];
}

interface HouseholdAddress {
  id: string;
  addressKey: string;
  uprn: string | null;
  postcode: string | null;
  /** JSON text (the column is jsonb). */
  addressLines: string;
}

/** Rows in slices of at most 10,000: bounded statements on a county's first run. */
function* chunks<T>(rows: T[], size = 10_000): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
