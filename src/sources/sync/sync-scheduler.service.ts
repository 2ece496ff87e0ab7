import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, Optional } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { AppConfig } from '../../config/config';
import { APP_CONFIG } from '../../config/config.module';
import { DatabaseRuntime } from '../../database/database-runtime';
import { retryOnDeadlock } from '../../database/retry-on-deadlock';
import { HubMetrics, noHubMetrics } from '../../metrics/hub-metrics';
import { QuarantinePurgeService, SCHEDULER_ACTOR } from '../quarantine/quarantine-purge.service';
import { AfterSync } from './after-sync';
import { IdentitySyncService } from './identity-sync.service';
import { SyncSummary } from './source-sync';

export const syncQueue = 'source-sync';
export const quarantinePurgeQueue = 'quarantine-purge';
/** Daily, at a quiet hour: the quarantine's retention is counted in days. */
export const quarantinePurgeCron = '30 3 * * *';
/** Instances that start within one slot of this many seconds (aligned to the clock) ask for one sync between them. */
export const START_SYNC_SLOT_SECONDS = 300;

/**
 * Background sync: a pg-boss schedule (SYNC_SCHEDULE, a cron in Europe/London) on a queue shared by every
 * hub instance, so each tick runs once across them; and one sync soon after start (SYNC_ON_START), on the
 * same queue when there is a schedule, so that instances started together run it once. On the
 * same queue, with the schedule, the daily quarantine purge (QUARANTINE_RETENTION_DAYS): what the sync puts
 * in the quarantine is taken out as it ages. The CLI and the tests run none of them.
 */
@Injectable()
export class SyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SourceSync');
  private boss?: PgBoss;
  private readonly stopping = new AbortController();
  private running?: Promise<unknown>;
  private unwatchQueues?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly runtime: DatabaseRuntime,
    private readonly sync: IdentitySyncService,
    private readonly quarantine: QuarantinePurgeService,
    @Optional() private readonly afterSync?: AfterSync,
    // Queue depths at each scrape (docs/monitoring.md).
    @Optional() private readonly metrics: HubMetrics = noHubMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.sources;
    if (!settings.background) return;
    if (settings.syncSchedule) await this.schedule(settings.syncSchedule);
    if (!settings.syncOnStart) return;
    // With the schedule, the sync after start is a job on the shared queue too, at most one per slot of
    // START_SYNC_SLOT_SECONDS: instances started together (a deployment) sync once between them.
    if (this.boss) await this.boss.send(syncQueue, { trigger: 'start' }, { singletonSeconds: START_SYNC_SLOT_SECONDS });
    // In the background, so the hub answers at once while the first (possibly full) load runs.
    else setImmediate(() => void this.runOnce('start'));
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    this.unwatchQueues?.();
    await this.boss?.stop({ graceful: true, wait: true, timeout: 10_000 }).catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  private async schedule(cron: string): Promise<void> {
    const settings = this.config.sources;
    const boss = new PgBoss({
      connectionString: this.runtime.url,
      schema: 'pgboss',
      application_name: 'hub-sync',
      maintenanceIntervalSeconds: settings.jobQueueMaintenanceSeconds,
    });
    // At shutdown the database may close the queue's connections first; that is not worth an error line.
    boss.on('error', (error: Error) => {
      if (!this.stopping.signal.aborted) this.logger.error(`job queue: ${error.message}`);
    });
    await boss.start();
    // `stately`: at most one sync queued and one running, however many instances tick. A job whose worker
    // died (the hub killed mid-sync) is failed after SYNC_JOB_TIMEOUT_SECONDS and retried by any instance:
    // the sync resumes from its last committed page (docs/operations.md, "Failure modes").
    const syncQueueOptions = {
      name: syncQueue,
      policy: 'stately' as const,
      expireInSeconds: settings.syncJobTimeoutSeconds,
      retryLimit: 5,
      retryDelay: 10,
      retryBackoff: true,
    };
    await retryOnDeadlock(() => boss.createQueue(syncQueue, syncQueueOptions));
    // A queue made by an earlier version keeps its options unless told.
    await retryOnDeadlock(() => boss.updateQueue(syncQueue, syncQueueOptions));
    await retryOnDeadlock(() => boss.schedule(syncQueue, cron, {}, { tz: 'Europe/London' }));
    await boss.work<{ trigger?: string }>(syncQueue, async ([job]) => {
      await this.runOnce(job?.data?.trigger === 'start' ? 'start' : 'schedule');
    });
    await retryOnDeadlock(() =>
      boss.createQueue(quarantinePurgeQueue, { name: quarantinePurgeQueue, policy: 'stately' }),
    );
    await retryOnDeadlock(() => boss.schedule(quarantinePurgeQueue, quarantinePurgeCron, {}, { tz: 'Europe/London' }));
    await boss.work(quarantinePurgeQueue, async () => {
      await this.purgeQuarantine();
    });
    this.boss = boss;
    this.unwatchQueues = this.metrics.watchQueues(() =>
      Promise.all(
        [syncQueue, quarantinePurgeQueue].map(async (queue) => ({ queue, depth: await boss.getQueueSize(queue) })),
      ),
    );
    this.logger.log(`scheduled source sync: "${cron}", quarantine purge: "${quarantinePurgeCron}" (Europe/London)`);
  }

  private async purgeQuarantine(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    try {
      const result = await this.quarantine.purge(SCHEDULER_ACTOR);
      this.logger.log(`quarantine purge: ${JSON.stringify(result)}`);
    } catch (error) {
      this.logger.error(`quarantine purge failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private async runOnce(trigger: string): Promise<SyncSummary[] | undefined> {
    if (this.stopping.signal.aborted) return undefined;
    const work = this.sync
      .sync({
        signal: this.stopping.signal,
        onProgress: (p) => {
          if (p.pages % 10 === 0)
            this.logger.log(`sync ${p.source}: ${p.received}${p.total ? ` of ${p.total}` : ''} records`);
        },
      })
      .then(async (summaries) => {
        for (const s of summaries)
          this.logger.log(
            `sync (${trigger}) ${s.source}: ${s.status} ${JSON.stringify({ mode: s.mode, ...s.counts, ...(s.error ? { error: s.error } : {}) })}`,
          );
        if (!this.stopping.signal.aborted) await this.afterSync?.run(summaries);
        return summaries;
      })
      .catch((error: unknown) => {
        this.logger.error(`sync (${trigger}) failed: ${error instanceof Error ? error.message : String(error)}`);
        return undefined;
      });
    this.running = work;
    return work;
  }
}
