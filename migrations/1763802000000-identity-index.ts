import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The master person index: persons with stable ids (a merged person points to its survivor), the link of
 * each source record to its person with the weight and method that decided it, the clerical review queue,
 * manual decisions that re-matching must respect, the blocking keys candidates are found by, and the
 * trained matching model.
 */
export class IdentityIndex1763802000000 implements MigrationInterface {
  name = 'IdentityIndex1763802000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table person (
        id uuid primary key default gen_random_uuid(),
        status text not null default 'active' check (status in ('active', 'merged')),
        merged_into uuid references person (id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint person_merged check ((status = 'merged') = (merged_into is not null))
      )`);
    await queryRunner.query(`
      create table person_link (
        source_record_id bigint primary key references source_record (id),
        person_id uuid not null references person (id),
        weight double precision,
        probability double precision,
        method text not null check (method in ('new', 'auto', 'deterministic', 'manual')),
        decided_by text not null,
        decided_at timestamptz not null default now(),
        explanation jsonb
      )`);
    await queryRunner.query('create index person_link_person_idx on person_link (person_id)');
    await queryRunner.query(`
      create table match_review (
        id bigserial primary key,
        record_a bigint not null references source_record (id),
        record_b bigint not null references source_record (id),
        weight double precision not null,
        probability double precision not null,
        reason text not null,
        explanation jsonb not null,
        status text not null default 'pending' check (status in ('pending', 'accepted', 'rejected', 'superseded')),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        reviewed_by text,
        reviewed_at timestamptz,
        note text,
        constraint match_review_order check (record_a < record_b),
        constraint match_review_pair unique (record_a, record_b)
      )`);
    await queryRunner.query(
      `create index match_review_pending_idx on match_review (probability desc) where status = 'pending'`,
    );
    await queryRunner.query(`
      create table match_constraint (
        record_a bigint not null references source_record (id),
        record_b bigint not null references source_record (id),
        kind text not null check (kind in ('same', 'different')),
        decided_by text not null,
        decided_at timestamptz not null default now(),
        reason text,
        primary key (record_a, record_b),
        constraint match_constraint_order check (record_a < record_b)
      )`);
    await queryRunner.query('create index match_constraint_b_idx on match_constraint (record_b)');
    await queryRunner.query(`
      create table match_block_key (
        source_record_id bigint not null references source_record (id),
        rule text not null,
        key text not null,
        primary key (source_record_id, rule)
      )`);
    await queryRunner.query('create index match_block_key_lookup_idx on match_block_key (rule, key)');
    await queryRunner.query(`
      create table matching_model (
        id bigserial primary key,
        created_at timestamptz not null default now(),
        trained_on integer not null,
        model jsonb not null
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'matching_model',
      'match_block_key',
      'match_constraint',
      'match_review',
      'person_link',
      'person',
    ]) {
      await queryRunner.query(`drop table ${table}`);
    }
  }
}
