import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A child reported born (Tell Us Once, #18) takes part in matching (the identity module's tables): the
 * reported identity is a candidate for source records like a record is. Its blocking keys
 * (`reported_block_key`, computed with the model in use; `block_keys_at` says they are), the review items
 * between a source record and a reported identity (`match_review.reported_identity_id`, `record_b` null),
 * and a data steward's `same` / `different` decisions on such a pair (`reported_match_constraint`).
 */
export class ReportedIdentityMatching1763814200000 implements MigrationInterface {
  name = 'ReportedIdentityMatching1763814200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`alter table person_reported_identity add column block_keys_at timestamptz`);
    await q.query(`
      create table reported_block_key (
        reported_identity_id bigint not null references person_reported_identity (id),
        rule text not null,
        key text not null,
        primary key (reported_identity_id, rule)
      )`);
    await q.query('create index reported_block_key_lookup on reported_block_key (rule, key)');
    await q.query(`alter table match_review alter column record_b drop not null`);
    await q.query(
      `alter table match_review add column reported_identity_id bigint references person_reported_identity (id)`,
    );
    await q.query(
      `alter table match_review add constraint match_review_other check ((record_b is null) <> (reported_identity_id is null))`,
    );
    await q.query(
      `create unique index match_review_reported_pair on match_review (record_a, reported_identity_id) where reported_identity_id is not null`,
    );
    await q.query(`
      create table reported_match_constraint (
        source_record_id bigint not null references source_record (id),
        reported_identity_id bigint not null references person_reported_identity (id),
        kind text not null check (kind in ('same', 'different')),
        decided_by text not null,
        decided_at timestamptz not null default now(),
        reason text,
        primary key (source_record_id, reported_identity_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table reported_match_constraint`);
    await q.query(`delete from match_review where reported_identity_id is not null`);
    await q.query(`drop index match_review_reported_pair`);
    await q.query(`alter table match_review drop constraint match_review_other`);
    await q.query(`alter table match_review drop column reported_identity_id`);
    await q.query(`alter table match_review alter column record_b set not null`);
    await q.query(`drop table reported_block_key`);
    await q.query(`alter table person_reported_identity drop column block_keys_at`);
  }
}
