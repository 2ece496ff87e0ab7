import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { HubMetrics, noHubMetrics } from '../../metrics/hub-metrics';
import { LifeEventDeliverer } from './life-event-deliverer';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, DeliveryJob } from './life-event-outbox';
import { PgBossLifeEventOutbox } from './pg-boss-outbox';

/** How often an idle poller asks the queue for work (pg-boss's floor is half a second). */
const POLLING_SECONDS = 0.5;
/** At most this many pollers per instance; each takes a batch of jobs and sends them at once. */
const MAX_POLLERS = 4;

/**
 * The delivery workers of this instance, on the queue every instance shares (pg-boss hands each job to one
 * of them): each job is one delivery's attempt (LifeEventDeliverer). A failed attempt is failed in the
 * queue, which retries it with exponential back-off until LIFE_EVENT_DELIVERY_ATTEMPTS; then (or when the
 * worker died on the last attempt, the job timed out) the job goes to the dead-letter queue, whose worker
 * marks the delivery DEAD. A retraction whose notice is still pending is put back (a new job a retry delay
 * later, not an attempt). Not started in the CLI, nor in tests unless LIFE_EVENT_DELIVERY_WORKERS=on.
 */
@Injectable()
export class LifeEventDeliveryWorkers implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('LifeEventDelivery');
  private boss?: PgBoss;
  private stopping = false;
  private readonly workerIds: string[] = [];
  private unwatchQueues?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly outbox: PgBossLifeEventOutbox,
    private readonly deliverer: LifeEventDeliverer,
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.lifeEventDelivery;
    if (!settings.background) return;
    const boss = await this.outbox.boss();
    this.boss = boss;
    const pollers = Math.min(MAX_POLLERS, settings.concurrency);
    const batchSize = Math.ceil(settings.concurrency / pollers);
    for (let i = 0; i < pollers; i++) {
      this.workerIds.push(
        await boss.work<DeliveryJob>(DELIVERY_QUEUE, { batchSize, pollingIntervalSeconds: POLLING_SECONDS }, (jobs) =>
          this.runBatch(boss, jobs),
        ),
      );
    }
    this.workerIds.push(
      await boss.work<DeliveryJob>(DEAD_LETTER_QUEUE, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
        for (const job of jobs) {
          const id = job.data?.deliveryId;
          if (typeof id === 'string' && (await this.deliverer.deadLettered(id)))
            this.logger.warn(`delivery ${id} dead-lettered after its last attempt`);
        }
      }),
    );
    this.unwatchQueues = this.metrics.watchQueues(() =>
      Promise.all(
        [DELIVERY_QUEUE, DEAD_LETTER_QUEUE].map(async (queue) => ({ queue, depth: await boss.getQueueSize(queue) })),
      ),
    );
    this.logger.log(
      `life-event delivery workers: ${pollers} x ${batchSize} at once, ${settings.attempts} attempts, first retry after ${settings.retryDelaySeconds}s`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.unwatchQueues?.();
    // The queue itself is stopped (gracefully, waiting for the jobs in hand) by the outbox that started it.
    for (const id of this.workerIds) await this.boss?.offWork({ id }).catch(() => undefined);
  }

  /**
   * A batch of jobs, sent at once. Each job's own outcome goes to the queue: a failed one is failed by id
   * (retried, or dead-lettered after its last attempt); the rest are completed when this returns.
   */
  private async runBatch(boss: PgBoss, jobs: PgBoss.Job<DeliveryJob>[]): Promise<void> {
    await Promise.all(
      jobs.map(async (job) => {
        const id = job.data?.deliveryId;
        if (typeof id !== 'string') return;
        try {
          const attempt = await this.deliverer.attempt(id);
          if (attempt.result === 'failed') {
            await boss.fail(DELIVERY_QUEUE, job.id, { message: attempt.error });
          } else if (attempt.result === 'deferred') {
            await boss.send(DELIVERY_QUEUE, { deliveryId: id } satisfies DeliveryJob, {
              startAfter: this.config.lifeEventDelivery.retryDelaySeconds,
            });
          }
        } catch (error) {
          // The hub's own trouble (the database, the audit trail): the attempt is retried like any other.
          const message = error instanceof Error ? error.message : String(error);
          if (!this.stopping) this.logger.error(`delivery ${id}: ${message}`);
          await boss
            .fail(DELIVERY_QUEUE, job.id, { message: 'the hub could not record the attempt' })
            .catch(() => undefined);
        }
      }),
    );
  }
}
