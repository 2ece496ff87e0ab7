import { MigrationInterface, QueryRunner } from 'typeorm';

/** Fuzzy matching in SQL: trigram similarity (pg_trgm) and phonetic codes and edit distance (fuzzystrmatch). */
export class Extensions1763800000000 implements MigrationInterface {
  name = 'Extensions1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('create extension if not exists pg_trgm');
    await queryRunner.query('create extension if not exists fuzzystrmatch');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('drop extension if exists fuzzystrmatch');
    await queryRunner.query('drop extension if exists pg_trgm');
  }
}
