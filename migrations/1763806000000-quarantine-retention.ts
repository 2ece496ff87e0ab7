import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention of the quarantine's personal data (QUARANTINE_RETENTION_DAYS): `raw_purged_at` records when the
 * purge cleared what the source sent, so the row still tells the data steward what was wrong, and when the
 * value went. A repeat of the same problem brings the value back and clears the mark.
 */
export class QuarantineRetention1763806000000 implements MigrationInterface {
  name = 'QuarantineRetention1763806000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('alter table quarantine add column raw_purged_at timestamptz');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('alter table quarantine drop column raw_purged_at');
  }
}
