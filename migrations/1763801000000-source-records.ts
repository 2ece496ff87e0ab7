import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The identity index's raw material: one row per source person-record (never dropped, only marked
 * deleted), the sync's per-source state and run history, and the quarantine of what a source sent that
 * could not be used as it was.
 */
export class SourceRecords1763801000000 implements MigrationInterface {
  name = 'SourceRecords1763801000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table source_sync_run (
        id bigserial primary key,
        source text not null,
        mode text not null check (mode in ('full', 'incremental')),
        status text not null check (status in ('running', 'complete', 'failed', 'abandoned')),
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        counts jsonb not null default '{}',
        error text
      )`);
    await queryRunner.query('create index source_sync_run_source_idx on source_sync_run (source, started_at desc)');
    await queryRunner.query(`
      create table source_sync_state (
        source text primary key,
        cursor text,
        mode text not null check (mode in ('full', 'incremental')),
        run_id bigint not null references source_sync_run (id),
        status text not null check (status in ('running', 'failed', 'idle')),
        full_load_completed_at timestamptz,
        last_success_at timestamptz,
        updated_at timestamptz not null default now()
      )`);
    await queryRunner.query('create sequence source_record_change_seq');
    await queryRunner.query(`
      create table source_record (
        id bigserial primary key,
        source text not null,
        source_key text not null,
        demographics jsonb not null,
        household_hints jsonb not null default '[]',
        content_hash text not null,
        first_seen_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        seen_run_id bigint references source_sync_run (id),
        source_updated_at timestamptz,
        changed_at timestamptz not null default now(),
        change_seq bigint not null default nextval('source_record_change_seq'),
        match_status text not null default 'pending',
        deleted boolean not null default false,
        deleted_at timestamptz,
        constraint source_record_key unique (source, source_key),
        constraint source_record_deleted_at check (deleted = (deleted_at is not null))
      )`);
    await queryRunner.query(
      `create index source_record_pending_idx on source_record (change_seq) where match_status = 'pending'`,
    );
    await queryRunner.query('create index source_record_change_seq_idx on source_record (change_seq)');
    await queryRunner.query(`
      create table quarantine (
        id bigserial primary key,
        source text not null,
        source_key text,
        scope text not null check (scope in ('record', 'field', 'page')),
        field text,
        reason_code text not null,
        reason text not null,
        raw jsonb,
        fingerprint text not null,
        sync_run_id bigint references source_sync_run (id),
        first_seen_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        occurrences integer not null default 1,
        resolved_at timestamptz,
        constraint quarantine_fingerprint unique (source, fingerprint)
      )`);
    await queryRunner.query(
      'create index quarantine_open_idx on quarantine (source, reason_code) where resolved_at is null',
    );
    await queryRunner.query(
      'create index quarantine_key_idx on quarantine (source, source_key) where resolved_at is null',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table quarantine');
    await queryRunner.query('drop table source_record');
    await queryRunner.query('drop sequence source_record_change_seq');
    await queryRunner.query('drop table source_sync_state');
    await queryRunner.query('drop table source_sync_run');
  }
}
