import PgBoss from 'pg-boss';
import { MigrationInterface, QueryRunner } from 'typeorm';

/** The job queue's schema (pg-boss; the sync schedule, the quarantine purge, life-event deliveries). */
const SCHEMA = 'pgboss';

/**
 * The job queue's schema and queues, made by whoever migrates (the owner role in production), not by the
 * hub at its first start: the hub's own role, with only the grants of docs/data-protection.md ("Production
 * roles"), can neither create a schema nor the table each queue is partitioned into. pg-boss's own
 * construction plan, inside this migration's transaction; then every queue the hub uses, with their
 * policies (the hub sets retries, timeouts and dead letters from its settings at start, a row update its
 * role may make). A database where a hub had already made them keeps them.
 */
export class JobQueue1763814300000 implements MigrationInterface {
  name = 'JobQueue1763814300000';

  async up(q: QueryRunner): Promise<void> {
    const [{ installed }] = await q.query(`select to_regclass('${SCHEMA}.version') is not null as installed`);
    if (!installed) await q.query(withoutOwnTransaction(PgBoss.getConstructionPlans(SCHEMA)));
    // The queues (names as in the code: sources/sync/sync-scheduler.service.ts, life-events/delivery/life-event-outbox.ts).
    const queues: [string, Record<string, unknown>][] = [
      ['source-sync', { policy: 'stately' }],
      ['quarantine-purge', { policy: 'stately' }],
      ['life-event-delivery-dead', { policy: 'standard' }],
      ['life-event-delivery', { policy: 'standard', deadLetter: 'life-event-delivery-dead' }],
    ];
    for (const [name, options] of queues)
      await q.query(`select ${SCHEMA}.create_queue($1, $2::json)`, [name, JSON.stringify(options)]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop schema if exists ${SCHEMA} cascade`);
  }
}

/** pg-boss's plan brackets itself in BEGIN … COMMIT; a migration runs in a transaction of its own. */
function withoutOwnTransaction(plan: string): string {
  const body = plan.trim();
  if (!body.startsWith('BEGIN;') || !body.endsWith('COMMIT;'))
    throw new Error('pg-boss construction plan not in the expected form (BEGIN; … COMMIT;)');
  return body.slice('BEGIN;'.length, -'COMMIT;'.length);
}
