import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Console sessions (#17), shared by every hub instance: the table connect-pg-simple reads and writes
 * (`sid`, `sess`, `expire`), with the index it prunes expired sessions by.
 */
export class ConsoleSessions1763813000000 implements MigrationInterface {
  name = 'ConsoleSessions1763813000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table console_session (
        sid varchar primary key,
        sess json not null,
        expire timestamp(6) not null
      )`);
    await q.query(`create index console_session_expire on console_session (expire)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop table console_session`);
  }
}
