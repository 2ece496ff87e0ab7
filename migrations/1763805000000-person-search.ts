import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the single view's people search over the live source records' demographics: trigram
 * (pg_trgm) and double metaphone (fuzzystrmatch) on names for typo- and sound-alike tolerance, and exact
 * lookups on date of birth, NINO and normalised postcode. Expression indexes, so no copy of the data.
 */
export class PersonSearch1763805000000 implements MigrationInterface {
  name = 'PersonSearch1763805000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const field of ['familyName', 'givenName']) {
      const name = field === 'familyName' ? 'family' : 'given';
      await queryRunner.query(
        `create index source_record_search_${name}_trgm on source_record using gin (lower(demographics ->> '${field}') gin_trgm_ops) where not deleted`,
      );
      await queryRunner.query(
        `create index source_record_search_${name}_dmeta on source_record (dmetaphone(demographics ->> '${field}')) where not deleted`,
      );
    }
    await queryRunner.query(
      `create index source_record_search_dob on source_record ((demographics ->> 'dateOfBirth')) where not deleted`,
    );
    await queryRunner.query(
      `create index source_record_search_nino on source_record ((demographics ->> 'nino')) where not deleted`,
    );
    await queryRunner.query(
      `create index source_record_search_postcode on source_record (upper(replace(demographics ->> 'postcode', ' ', ''))) where not deleted`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const index of ['family_trgm', 'family_dmeta', 'given_trgm', 'given_dmeta', 'dob', 'nino', 'postcode']) {
      await queryRunner.query(`drop index source_record_search_${index}`);
    }
  }
}
