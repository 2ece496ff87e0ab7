import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tell Us Once intake (#18): what a reported life event says about a person until the sources catch up
 * (the identity module's table). A change of name, a new address, a child born and placed with a parent:
 * the golden identity weighs these rows with the person's source records (a reported value wins over
 * records last confirmed before it), and households are resolved from them too (HomeEvidence), so that
 * the next sync does not undo the event before the sources have applied it. A withdrawn event's rows stop
 * counting. (The date of death is `person.date_of_death`.) The life event keeps who was not told, and why.
 */
export class LifeEventIntake1763814100000 implements MigrationInterface {
  name = 'LifeEventIntake1763814100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table person_reported_identity (
        id bigserial primary key,
        person_id uuid not null references person (id),
        event_id uuid not null,
        fields jsonb not null,
        household_hints jsonb not null default '[]',
        reported_at timestamptz not null default now(),
        withdrawn_at timestamptz,
        unique (event_id, person_id)
      )`);
    await q.query(
      `create index person_reported_identity_person on person_reported_identity (person_id) where withdrawn_at is null`,
    );
    // The receipt's "not delivered, and why": subscribers with no agreement in force, sources with no record.
    await q.query(`alter table life_event add column not_delivered jsonb not null default '[]'`);
    await q.query(`create index life_event_status on life_event (status, reported_at desc, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop index life_event_status`);
    await q.query(`alter table life_event drop column not_delivered`);
    await q.query(`drop table person_reported_identity`);
  }
}
