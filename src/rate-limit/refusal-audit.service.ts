import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { AuditEventInput, AuditRecorder } from '../engine/audit-recorder';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { Budget, RateLimitService } from './rate-limit.service';

/** What the caller knows of one refusal, beyond its audit event. */
export interface Refusal {
  /** Whom the refusal is counted against: a client address, or a verified client. */
  key: string;
  /** Why, in one word (`missing-token`, `PURPOSE_REQUIRED`): counted per reason in an aggregate event. */
  reason: string;
  /** Kept in the aggregate event: who was refused (`{ address }`, `{ client }`), never a value they sent. */
  detail: Record<string, unknown>;
  /**
   * Decided by the caller's own budget (failed sign-ins per address): one by one while `true`. Left out,
   * this service's budget decides (`REFUSALS_AUDITED_PER_WINDOW` per key and operation).
   */
  individually?: boolean;
  /** When the caller's budget window ends: the aggregate event is written then. */
  windowEndsAt?: number;
}

interface Bucket {
  operation: string;
  key: string;
  actor: AuditEventInput['actor'];
  detail: Record<string, unknown>;
  count: number;
  byReason: Record<string, number>;
  first: number;
  last: number;
  windowEndsAt: number;
}

/** Beyond this many keys counted at once (a flood from many addresses), the rest share one bucket. */
const MAX_BUCKETS = 10_000;

/**
 * Audits refusals that can come in floods (failed sign-ins, requests without a purpose, requests over
 * their budget) without letting a flood fill the audit trail, which is kept for years. The first refusals
 * of a key in a window are recorded one by one, each with its reason; the rest are counted in memory and
 * written as one `<operation>.aggregate` event with the count per reason when the window closes (or at the
 * next refusal after it, or when the hub stops). So every refusal is in the trail, one by one or counted.
 *
 * Each instance counts its own refusals: behind a load balancer a window may close with one aggregate
 * event per instance, whose counts add up. Whether a refusal is among the first is decided in PostgreSQL,
 * so the budget is the same for every instance. The refusal stands whatever happens here: `refuse`
 * never throws, and a write that fails is logged (and an aggregate retried).
 */
@Injectable()
export class RefusalAuditService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RefusalAudit');
  private readonly buckets = new Map<string, Bucket>();
  /** Aggregates whose write failed: retried at the next sweep. */
  private unwritten: Bucket[] = [];
  private readonly writing = new Set<Promise<void>>();
  private budget?: Budget;
  private sweeper?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly audit: AuditRecorder,
    private readonly rateLimit: RateLimitService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const { refusalsAuditedPerWindow, windowSeconds } = this.config.rateLimit;
    this.budget = this.rateLimit.budget({
      name: 'refusal-audit',
      points: refusalsAuditedPerWindow,
      durationSeconds: windowSeconds,
    });
    const everyMs = Math.max(1, Math.min(5, Math.floor(windowSeconds / 2))) * 1000;
    this.sweeper = setInterval(() => void this.sweep(), everyMs).unref();
  }

  /** Before the audit writer closes (its hook runs after every module's destroy hook): nothing counted is left behind. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweeper);
    await Promise.all(this.writing);
    await this.sweep(true);
  }

  /** Records `event` (a refusal) one by one or into its window's count. Never throws: the request is refused either way. */
  async refuse(event: AuditEventInput, refusal: Refusal): Promise<void> {
    let individually = refusal.individually;
    let windowEndsAt = refusal.windowEndsAt;
    if (individually === undefined && !this.closing) {
      try {
        const spend = await this.budget!.spend(`${event.operation}:${refusal.key}`);
        individually = spend.allowed;
        windowEndsAt = spend.windowEndsAt;
      } catch (error) {
        // Cannot tell whether it is one of the first: record it (an event too many, never one too few).
        this.logger.warn(`refusal budget unavailable, recording one by one: ${(error as Error).message}`);
        individually = true;
      }
    }
    // Once stopping, nothing more is counted, since nothing would write the count.
    if (individually || this.closing) return this.write(event);
    this.count(event, refusal, windowEndsAt ?? Date.now() + this.config.rateLimit.windowSeconds * 1000);
  }

  private count(event: AuditEventInput, refusal: Refusal, windowEndsAt: number): void {
    const now = Date.now();
    let id = `${event.operation}|${refusal.key}`;
    let bucket = this.buckets.get(id);
    if (bucket && now >= bucket.windowEndsAt) {
      this.flush(bucket);
      bucket = undefined;
    }
    if (!bucket && this.buckets.size >= MAX_BUCKETS) {
      id = `${event.operation}|*`;
      bucket = this.buckets.get(id);
    }
    if (!bucket) {
      const overflow = id.endsWith('|*');
      bucket = {
        operation: event.operation,
        key: overflow ? '*' : refusal.key,
        actor: overflow ? undefined : event.actor,
        detail: overflow ? { overflow: `more than ${MAX_BUCKETS} keys refused at once` } : refusal.detail,
        count: 0,
        byReason: {},
        first: now,
        last: now,
        windowEndsAt: Math.max(windowEndsAt, now + 1000),
      };
      this.buckets.set(id, bucket);
    }
    bucket.count += 1;
    bucket.byReason[refusal.reason] = (bucket.byReason[refusal.reason] ?? 0) + 1;
    bucket.last = now;
  }

  private async sweep(all = false): Promise<void> {
    const now = Date.now();
    const retry = this.unwritten;
    this.unwritten = [];
    const due = [...retry, ...[...this.buckets.values()].filter((bucket) => all || now >= bucket.windowEndsAt)];
    await Promise.all(due.map((bucket) => this.flush(bucket)));
  }

  private flush(bucket: Bucket): Promise<void> {
    const id = `${bucket.operation}|${bucket.key}`;
    if (this.buckets.get(id) === bucket) this.buckets.delete(id);
    const written = this.audit.record(this.aggregateOf(bucket)).then(
      () => undefined,
      (error: unknown) => {
        const what = `${bucket.count} ${bucket.operation} refusals of ${bucket.key} (${JSON.stringify(bucket.byReason)}) from ${new Date(bucket.first).toISOString()} to ${new Date(bucket.last).toISOString()}`;
        if (this.closing) {
          // Stopping: the log is the last place the count can go.
          this.logger.error(`could not record ${what} in the audit trail: ${(error as Error).message}`);
        } else {
          this.logger.error(`could not record ${what} in the audit trail, will retry: ${(error as Error).message}`);
          this.unwritten.push(bucket);
        }
      },
    );
    this.writing.add(written);
    void written.finally(() => this.writing.delete(written));
    return written;
  }

  private aggregateOf(bucket: Bucket): AuditEventInput {
    // Reasons are short codes from a fixed set; the cap keeps the event within the trail's limits regardless.
    const reasons = Object.entries(bucket.byReason)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 50);
    return {
      ...(bucket.actor ? { actor: bucket.actor } : {}),
      operation: `${bucket.operation}.aggregate`,
      decision: 'deny',
      reasons: reasons.map(([reason, n]) => `${reason} x${n}`),
      detail: {
        ...bucket.detail,
        count: bucket.count,
        byReason: Object.fromEntries(reasons),
        from: new Date(bucket.first).toISOString(),
        to: new Date(bucket.last).toISOString(),
      },
    };
  }

  private async write(event: AuditEventInput): Promise<void> {
    try {
      await this.audit.record(event);
    } catch (error) {
      // The request is refused either way; the missing audit line must not go unnoticed.
      this.logger.error(
        `could not record ${event.operation} (${event.reasons?.join('; ') ?? ''}) in the audit trail: ${(error as Error).message}`,
      );
    }
  }
}
