import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Objections and restrictions recorded by staff wait for the DPO's review (docs/access-control.md):
 * `requested_kind` is what the person asked for, `kind` what is in force (a restriction while pending),
 * `review_status` pending, confirmed or dismissed (null: no review needed, as for the DPO's own records and
 * every record made before this migration, whose recorder's role was not kept). Each record now carries a
 * reference to its evidence; older ones have none. An index serves the per-user daily break-glass count.
 */
export class ObjectionReview1763808000000 implements MigrationInterface {
  name = 'ObjectionReview1763808000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      alter table objection
        add column requested_kind text check (requested_kind in ('objection', 'restriction')),
        add column evidence text check (evidence is null or length(evidence) between 6 and 121),
        add column review_status text check (review_status in ('pending', 'confirmed', 'dismissed')),
        add column reviewed_by text,
        add column reviewed_at timestamptz,
        add column review_note text`);
    await q.query('update objection set requested_kind = kind');
    await q.query('alter table objection alter column requested_kind set not null');
    await q.query(`
      alter table objection
        add constraint objection_pending_restricts check (review_status is distinct from 'pending' or kind = 'restriction'),
        add constraint objection_reviewed check ((coalesce(review_status, '') in ('confirmed', 'dismissed')) = (reviewed_by is not null and reviewed_at is not null)),
        add constraint objection_dismissed_lifted check (review_status is distinct from 'dismissed' or lifted_at is not null)`);
    await q.query(`create index objection_review_pending on objection (recorded_at) where review_status = 'pending'`);
    await q.query(
      'create index break_glass_grantee on break_glass (grantee_organisation, grantee_subject, granted_at)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('drop index if exists break_glass_grantee');
    await q.query('drop index if exists objection_review_pending');
    await q.query(`
      alter table objection
        drop column requested_kind, drop column evidence, drop column review_status,
        drop column reviewed_by, drop column reviewed_at, drop column review_note`);
  }
}
