import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { HouseholdHint } from '../../sources/source-adapter';
import type { IdentityFields } from '../../sources/identity-fields';
import { survivorsOf } from '../directory/person-directory.service';

/** What a life event says about a person's identity, kept until withdrawn (IdentityFields, the hub's own). */
export type ReportedFields = Pick<
  IdentityFields,
  | 'givenName'
  | 'middleNames'
  | 'familyName'
  | 'previousFamilyNames'
  | 'dateOfBirth'
  | 'sex'
  | 'uprn'
  | 'addressLines'
  | 'postcode'
>;

/**
 * The identity module's writes for Tell Us Once (issue #18): a life event accepted by the hub changes the
 * person index here, in the intake's transaction (`db`), and nowhere else. A death sets the person's date
 * of death (they stay in the index, findable for the audit trail); a change of name or address and a birth
 * are kept as reported identity (`person_reported_identity`), which the golden identity weighs with the
 * source records and households are resolved from (PersonDirectory). Withdrawing the event undoes each.
 */
@Injectable()
export class ReportedIdentityService {
  /** The active person `personId` stands for (a merged id's survivor), or undefined when none. */
  async activePerson(db: Pick<EntityManager, 'query'>, personId: string): Promise<string | undefined> {
    return (await survivorsOf(db, [personId])).get(personId.toLowerCase()) ?? undefined;
  }

  /** What the index holds of the person for checking a report: date of death (the golden fields come from PersonDirectory). */
  async dateOfDeath(db: Pick<EntityManager, 'query'>, personId: string): Promise<string | undefined> {
    const [row]: { date_of_death: string | null }[] = await db.query(
      `select to_char(date_of_death, 'YYYY-MM-DD') as date_of_death from person where id = $1`,
      [personId],
    );
    return row?.date_of_death ?? undefined;
  }

  /** The person died on `date`: recorded on the person (`hub.identity.dateOfDeath`); nothing is removed. */
  async recordDeath(db: Pick<EntityManager, 'query'>, personId: string, date: string): Promise<void> {
    await db.query(`update person set date_of_death = $2, updated_at = now() where id = $1`, [personId, date]);
  }

  /** A death reported wrongly: the date goes, if it is still the one that report set. */
  async clearDeath(db: Pick<EntityManager, 'query'>, personId: string, date: string): Promise<void> {
    await db.query(
      `update person set date_of_death = null, updated_at = now() where id = $1 and date_of_death = $2::date`,
      [personId, date],
    );
  }

  /** A child reported born: a new person in the index, their identity as reported, grouped with the parents. */
  async registerBirth(
    db: Pick<EntityManager, 'query'>,
    eventId: string,
    child: ReportedFields,
    parentIds: readonly string[],
    reportedAt: Date,
  ): Promise<string> {
    const [{ id }]: { id: string }[] = await db.query(`insert into person default values returning id::text`);
    const hint: HouseholdHint = { kind: 'reported-birth', groupKey: eventId, role: 'child' };
    await this.report(db, id, eventId, child, [hint], reportedAt);
    for (const parentId of parentIds)
      await this.report(db, parentId, eventId, {}, [{ ...hint, role: 'parent' }], reportedAt);
    return id;
  }

  /**
   * What an event says of a person's identity (a new name with the previous family name, a new address),
   * as of `reportedAt`: it wins over the source records last confirmed before then.
   */
  async report(
    db: Pick<EntityManager, 'query'>,
    personId: string,
    eventId: string,
    fields: ReportedFields,
    hints: HouseholdHint[] = [],
    reportedAt = new Date(),
  ): Promise<void> {
    await db.query(
      `insert into person_reported_identity (person_id, event_id, fields, household_hints, reported_at)
       values ($1, $2, $3, $4, $5) on conflict (event_id, person_id) do nothing`,
      [personId, eventId, JSON.stringify(fields), JSON.stringify(hints), reportedAt],
    );
  }

  /**
   * The event was withdrawn: what it reported stops counting. A child reported born no longer attracts
   * source records (its blocking keys go) and the review items pairing records with it are superseded; a
   * record already linked to the child stays with them (a source holds it).
   */
  async withdraw(db: Pick<EntityManager, 'query'>, eventId: string): Promise<void> {
    await db.query(
      `update person_reported_identity set withdrawn_at = now() where event_id = $1 and withdrawn_at is null`,
      [eventId],
    );
    await db.query(
      `delete from reported_block_key where reported_identity_id in (select id from person_reported_identity where event_id = $1)`,
      [eventId],
    );
    await db.query(
      `update match_review set status = 'superseded', updated_at = now()
        where status = 'pending' and reported_identity_id in (select id from person_reported_identity where event_id = $1)`,
      [eventId],
    );
  }
}
