import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Merge requests (docs/person-index.md): a data steward's merge of two persons whose own identifiers do not
 * agree waits here until a second steward approves or rejects it. A request may come from a review item
 * (`review_id`), which is then accepted on approval. One open request per pair of persons, and per review
 * item. Rows are never deleted: they are the record of who asked and who decided.
 */
export class PersonMergeRequests1763809000000 implements MigrationInterface {
  name = 'PersonMergeRequests1763809000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table person_merge_request (
        id bigserial primary key,
        survivor_id uuid not null references person (id),
        merged_id uuid not null references person (id),
        review_id bigint references match_review (id),
        reason text not null,
        status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
        requested_by text not null,
        requested_by_issuer text,
        requested_at timestamptz not null default now(),
        decided_by text,
        decided_by_issuer text,
        decided_at timestamptz,
        note text,
        constraint person_merge_request_pair check (survivor_id <> merged_id),
        constraint person_merge_request_decided check ((status = 'pending') = (decided_at is null)),
        constraint person_merge_request_four_eyes check (decided_by is null or status = 'rejected' or decided_by <> requested_by)
      )`);
    await queryRunner.query(`
      create unique index person_merge_request_open_pair on person_merge_request (least(survivor_id, merged_id), greatest(survivor_id, merged_id))
       where status = 'pending'`);
    await queryRunner.query(
      `create unique index person_merge_request_open_review on person_merge_request (review_id) where status = 'pending' and review_id is not null`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table person_merge_request');
  }
}
