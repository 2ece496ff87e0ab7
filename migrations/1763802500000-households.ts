import { MigrationInterface, QueryRunner } from 'typeorm';

/** Households (people living together at one address) and who belonged to each, when, and on what evidence. */
export class Households1763802500000 implements MigrationInterface {
  name = 'Households1763802500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table household (
        id uuid primary key default gen_random_uuid(),
        address_key text not null,
        uprn text,
        postcode text,
        address_lines jsonb,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      )`);
    await queryRunner.query('create index household_address_idx on household (address_key)');
    await queryRunner.query('create index household_uprn_idx on household (uprn) where uprn is not null');
    await queryRunner.query('create index household_postcode_idx on household (postcode) where postcode is not null');
    await queryRunner.query(`
      create table household_membership (
        id bigserial primary key,
        household_id uuid not null references household (id),
        person_id uuid not null references person (id),
        role text,
        valid_from timestamptz not null default now(),
        valid_to timestamptz,
        evidence jsonb not null default '[]',
        constraint household_membership_period check (valid_to is null or valid_to >= valid_from)
      )`);
    await queryRunner.query(
      'create unique index household_membership_current on household_membership (person_id) where valid_to is null',
    );
    await queryRunner.query(
      'create index household_membership_household_idx on household_membership (household_id, valid_to)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table household_membership');
    await queryRunner.query('drop table household');
  }
}
