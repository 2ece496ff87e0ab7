import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which source system's service each team works in (docs/access-control.md): a case held by a social care
 * team says that social care knows the person, so the team's name is special category wherever it is shown
 * (the holding teams of an existence answer). A team not listed works in no source's service.
 */
export class ServiceTeams1763808500000 implements MigrationInterface {
  name = 'ServiceTeams1763808500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table service_team (
        organisation text not null references organisation (id),
        team text not null check (length(btrim(team)) between 1 and 100),
        source text not null check (source ~ '^[a-z][a-z0-9-]{0,62}$'),
        registered_by text not null,
        registered_at timestamptz not null default now(),
        primary key (organisation, team)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop table if exists service_team');
  }
}
