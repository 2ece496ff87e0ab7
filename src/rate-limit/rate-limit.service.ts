import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HubException } from '../common/hub-exception';

export enum RateLimitErrorCode {
  RATE_LIMITED = 'RATE_LIMITED',
}

export class RateLimitedException extends HubException<RateLimitErrorCode> {
  readonly httpStatus = 429;

  constructor(
    readonly retryAfterSeconds: number,
    /** How many requests this window had been refused when this one was (1: the first); for the audit, not the client. */
    readonly refusedInWindow = 1,
  ) {
    super(RateLimitErrorCode.RATE_LIMITED, `Too many requests: try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }

  override get httpHeaders(): Record<string, string> {
    return { 'retry-after': String(this.retryAfterSeconds) };
  }
}

/** A named budget: `points` per `durationSeconds` per key, counted in PostgreSQL. */
export interface BudgetOptions {
  /** Unique among budgets; prefixes the keys in the shared table. */
  name: string;
  points: number;
  durationSeconds: number;
}

/** What one spend found: within budget or not, and how far the key is into its window. */
export interface Spend {
  allowed: boolean;
  /** Points spent in this window, this spend included (so `points + 1` is the first spend refused). */
  consumed: number;
  retryAfterSeconds: number;
  /** When this key's window ends (epoch milliseconds). */
  windowEndsAt: number;
}

export class Budget {
  private limiter?: RateLimiterPostgres;

  constructor(
    readonly options: BudgetOptions,
    private readonly pool: () => unknown,
  ) {}

  /**
   * Spends `points` of `key`'s budget. Over budget is an answer (`allowed: false`), not an error; a store
   * that cannot answer is an error, and callers refuse rather than serve unmetered (fail closed).
   */
  async spend(key: string, points = 1): Promise<Spend> {
    this.limiter ??= new RateLimiterPostgres({
      storeClient: this.pool(),
      storeType: 'pool',
      tableName: 'rate_limit',
      tableCreated: true,
      keyPrefix: this.options.name,
      points: this.options.points,
      duration: this.options.durationSeconds,
      clearExpiredByTimeout: false,
    });
    let result: RateLimiterRes;
    let allowed = true;
    try {
      result = await this.limiter.consume(key, points);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      result = refused;
      allowed = false;
    }
    const msLeft = Math.max(0, result.msBeforeNext);
    return {
      allowed,
      consumed: result.consumedPoints,
      retryAfterSeconds: Math.max(1, Math.ceil(msLeft / 1000)),
      windowEndsAt: Date.now() + msLeft,
    };
  }
}

/** Expired counters are deleted this often (the table is unlogged; rows of a finished window serve no one). */
const SWEEP_MS = 10 * 60_000;

/**
 * Request budgets counted in PostgreSQL (rate-limiter-flexible), so that every hub instance behind a load
 * balancer draws on the same budget. The per-client budget (`consume`) counts requests of a verified
 * principal (organisation and subject, or its OAuth client); other budgets (`budget`) count what their
 * owner chooses: failed sign-ins per address, audited refusals per client, disclosures per partner.
 */
@Injectable()
export class RateLimitService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RateLimit');
  private perClient?: Budget;
  private readonly names = new Set<string>();
  private sweeper?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    if (this.config.rateLimit.perMinute)
      this.perClient = this.budget({ name: 'rl', points: this.config.rateLimit.perMinute, durationSeconds: 60 });
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** A budget of its own (e.g. persons disclosed per partner per day), in the shared table. */
  budget(options: BudgetOptions): Budget {
    if (this.names.has(options.name)) throw new Error(`a rate-limit budget named ${options.name} exists already`);
    this.names.add(options.name);
    return new Budget(options, () => (this.dataSource.driver as unknown as { master: unknown }).master);
  }

  /**
   * Spends `points` of `client`'s request budget; throws RateLimitedException when it is spent (or a store
   * error, so that the request is refused rather than served unmetered).
   */
  async consume(client: string, points = 1): Promise<void> {
    if (!this.perClient) return;
    const spend = await this.perClient.spend(client, points);
    if (!spend.allowed)
      throw new RateLimitedException(spend.retryAfterSeconds, spend.consumed - this.perClient.options.points);
  }

  private async sweep(): Promise<void> {
    try {
      await this.dataSource.query('delete from rate_limit where expire < $1', [Date.now() - 60_000]);
    } catch (error) {
      this.logger.warn(`expired rate-limit counters not deleted: ${(error as Error).message}`);
    }
  }
}
