import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type PgBoss from 'pg-boss';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { HubMetrics, noHubMetrics } from '../../metrics/hub-metrics';
import { LifeEventDeliverer } from './life-event-deliverer';
import { DEAD_LETTER_QUEUE, DELIVERY_QUEUE, DeliveryJob } from './life-event-outbox';
import { PgBossLifeEventOutbox } from './pg-boss-outbox';

/** How long an idle instance waits before asking the queue again. */
const IDLE_POLL_MS = 500;
/** Jobs taken from the queue in one fetch, at most. */
const MAX_FETCH = 50;
/** At shutdown, attempts in hand are given this long to end before the queue is stopped. */
const DRAIN_MS = 10_000;

/**
 * The delivery workers of this instance, on the queue every instance shares (pg-boss hands each job to one
 * of them, SKIP LOCKED): up to LIFE_EVENT_DELIVERY_CONCURRENCY attempts at once, topped up as each ends
 * (the queue is asked again at once while it has work, every half second when idle). Each job is one
 * delivery's attempt (LifeEventDeliverer). A failed attempt is failed in the queue, which retries it with
 * exponential back-off until LIFE_EVENT_DELIVERY_ATTEMPTS; then (or when the worker died on the last
 * attempt and the job timed out) the job goes to the dead-letter queue, whose worker marks the delivery
 * DEAD. A retraction whose notice is still pending is put back (a new job a retry delay later, not an
 * attempt). Not started in the CLI, nor in tests unless LIFE_EVENT_DELIVERY_WORKERS=on.
 */
@Injectable()
export class LifeEventDeliveryWorkers implements OnApplicationBootstrap {
  private readonly logger = new Logger('LifeEventDelivery');
  private readonly stopping = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private wake?: () => void;
  private loop?: Promise<void>;
  private unwatchQueues?: () => void;
  private readonly toComplete: { jobId: string; resolve(): void; reject(error: unknown): void }[] = [];
  private completing?: Promise<void>;

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
    // The outbox stops the queue at shutdown; first the attempts in hand end (or DRAIN_MS pass).
    this.outbox.beforeStop(() => this.drain());
    await boss.work<DeliveryJob>(DEAD_LETTER_QUEUE, { batchSize: 20, pollingIntervalSeconds: 1 }, async (jobs) => {
      for (const job of jobs) {
        const id = job.data?.deliveryId;
        if (typeof id === 'string' && (await this.deliverer.deadLettered(id)))
          this.logger.warn(`delivery ${id} dead-lettered after its last attempt`);
      }
    });
    this.unwatchQueues = this.metrics.watchQueues(() =>
      Promise.all(
        [DELIVERY_QUEUE, DEAD_LETTER_QUEUE].map(async (queue) => ({ queue, depth: await boss.getQueueSize(queue) })),
      ),
    );
    this.loop = this.run(boss, settings.concurrency);
    this.logger.log(
      `life-event delivery workers: ${settings.concurrency} at once, ${settings.attempts} attempts, first retry after ${settings.retryDelaySeconds}s`,
    );
  }

  private async drain(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    this.unwatchQueues?.();
    await this.loop;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.inFlight),
      new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS))),
    ]);
    clearTimeout(timer);
  }

  /** Keeps up to `concurrency` attempts going while the queue has work. */
  private async run(boss: PgBoss, concurrency: number): Promise<void> {
    // Each fetch sorts the waiting jobs: with a backlog, asking for a few at a time costs more than it
    // gains, so the queue is asked again once a quarter of the slots are free (or none is busy).
    const refill = Math.max(1, Math.floor(concurrency / 4));
    while (!this.stopping.signal.aborted) {
      const free = concurrency - this.inFlight.size;
      if (free < refill && this.inFlight.size > 0) {
        await this.pause(IDLE_POLL_MS);
        continue;
      }
      let jobs: PgBoss.Job<DeliveryJob>[] = [];
      try {
        jobs =
          (await boss.fetch<DeliveryJob>(DELIVERY_QUEUE, { batchSize: Math.min(free, MAX_FETCH), priority: false })) ??
          [];
      } catch (error) {
        if (!this.stopping.signal.aborted)
          this.logger.error(`job queue: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (jobs.length === 0) {
        await this.pause(IDLE_POLL_MS);
        continue;
      }
      for (const job of jobs) {
        const work = this.runJob(boss, job).finally(() => {
          this.inFlight.delete(work);
          this.wake?.();
        });
        this.inFlight.add(work);
      }
    }
  }

  /**
   * Completes a job in the queue, grouped with the others ending meanwhile (one statement for many). A job
   * whose completion is lost (the hub killed) times out and runs again, and finds its delivery done.
   */
  private complete(boss: PgBoss, jobId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.toComplete.push({ jobId, resolve, reject });
      if (!this.completing)
        this.completing = (async () => {
          while (this.toComplete.length > 0) {
            const group = this.toComplete.splice(0, 500);
            try {
              await boss.complete(
                DELIVERY_QUEUE,
                group.map((item) => item.jobId),
              );
              for (const item of group) item.resolve();
            } catch (error) {
              for (const item of group) item.reject(error);
            }
          }
        })().finally(() => (this.completing = undefined));
    });
  }

  /** Waits `ms`, or less when an attempt ends (a slot is free) or the hub stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** One job: its attempt, then its outcome to the queue (completed, failed for a retry, or put back). */
  private async runJob(boss: PgBoss, job: PgBoss.Job<DeliveryJob>): Promise<void> {
    const id = job.data?.deliveryId;
    try {
      const attempt = typeof id === 'string' ? await this.deliverer.attempt(id) : undefined;
      if (attempt?.result === 'failed') {
        await boss.fail(DELIVERY_QUEUE, job.id, { message: attempt.error });
        return;
      }
      if (attempt?.result === 'deferred') {
        await boss.send(DELIVERY_QUEUE, { deliveryId: id } satisfies DeliveryJob, {
          startAfter: this.config.lifeEventDelivery.retryDelaySeconds,
        });
      }
      await this.complete(boss, job.id);
    } catch (error) {
      // The hub's own trouble (the database, the audit trail): the attempt is retried like any other.
      if (this.stopping.signal.aborted) return;
      this.logger.error(`delivery ${String(id)}: ${error instanceof Error ? error.message : String(error)}`);
      await boss
        .fail(DELIVERY_QUEUE, job.id, { message: 'the hub could not record the attempt' })
        .catch(() => undefined);
    }
  }
}
