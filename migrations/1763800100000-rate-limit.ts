import { MigrationInterface, QueryRunner } from 'typeorm';

/** Counters for per-client rate limits, shared by every hub instance (rate-limiter-flexible's layout). */
export class RateLimit1763800100000 implements MigrationInterface {
  name = 'RateLimit1763800100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create unlogged table rate_limit (
        key varchar(255) primary key,
        points integer not null default 0,
        expire bigint
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop table rate_limit');
  }
}
