import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { DatabaseRuntime } from '../../database/database-runtime';
import { retryOnDeadlock } from '../../database/retry-on-deadlock';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, DeliveryJob, LifeEventOutbox } from './life-event-outbox';

/** How the delivery queue retries (LIFE_EVENT_* settings, docs/life-events.md). */
export interface DeliveryQueueOptions {
  /** Attempts after the first before a delivery is dead-lettered. */
  retryLimit: number;
  /** Seconds before the first retry; doubled each time (pg-boss's exponential back-off). */
  retryDelaySeconds: number;
  /** Seconds a job may stay active before its worker is taken for dead (a hub killed) and the job retried. */
  attemptTimeoutSeconds: number;
  /** Seconds between the job queue's maintenance rounds, which find the jobs past their timeout. */
  maintenanceIntervalSeconds?: number;
}

/**
 * The outbox on pg-boss, in the hub's own database (schema `pgboss`, as the sync schedule): jobs are
 * inserted through the caller's transaction (`db` option), so they exist only if it commits. The queue is
 * made (idempotently, as several instances start at once) before the first job.
 */
@Injectable()
export class PgBossLifeEventOutbox extends LifeEventOutbox implements OnApplicationShutdown {
  private readonly logger = new Logger('LifeEventDelivery');
  private started?: Promise<PgBoss>;
  private stopping = false;
  private readonly stopHooks: (() => Promise<void>)[] = [];

  constructor(
    private readonly runtime: DatabaseRuntime,
    private readonly options: DeliveryQueueOptions,
  ) {
    super();
  }

  /** The started queue, shared with the delivery workers. */
  boss(): Promise<PgBoss> {
    this.started ??= this.start().catch((error: unknown) => {
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  async enqueue(manager: EntityManager, deliveryIds: readonly string[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    const boss = await this.boss();
    const db = { executeSql: async (text: string, values: unknown[]) => ({ rows: await manager.query(text, values) }) };
    await boss.insert(
      deliveryIds.map((deliveryId) => ({ name: DELIVERY_QUEUE, data: { deliveryId } satisfies DeliveryJob })),
      { db },
    );
  }

  /** Work to end before the queue stops at shutdown (the delivery workers' attempts in hand). */
  beforeStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.stopHooks.map((hook) => hook()));
    this.stopping = true;
    const boss = await this.started?.catch(() => undefined);
    await boss?.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
  }

  private async start(): Promise<PgBoss> {
    const boss = new PgBoss({
      connectionString: this.runtime.url,
      schema: 'pgboss',
      application_name: 'hub-life-events',
      ...(this.options.maintenanceIntervalSeconds
        ? { maintenanceIntervalSeconds: this.options.maintenanceIntervalSeconds }
        : {}),
    });
    // At shutdown the database may close the queue's connections first; that is not worth an error line.
    boss.on('error', (error: Error) => {
      if (!this.stopping) this.logger.error(`job queue: ${error.message}`);
    });
    await boss.start();
    await retryOnDeadlock(() => boss.createQueue(DEAD_LETTER_QUEUE, { name: DEAD_LETTER_QUEUE }));
    const queue = {
      name: DELIVERY_QUEUE,
      retryLimit: this.options.retryLimit,
      retryDelay: this.options.retryDelaySeconds,
      retryBackoff: true,
      expireInSeconds: this.options.attemptTimeoutSeconds,
      deadLetter: DEAD_LETTER_QUEUE,
    };
    await retryOnDeadlock(() => boss.createQueue(DELIVERY_QUEUE, queue));
    await retryOnDeadlock(() => boss.updateQueue(DELIVERY_QUEUE, queue));
    return boss;
  }
}
