import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
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

  constructor(readonly retryAfterSeconds: number) {
    super(RateLimitErrorCode.RATE_LIMITED, `Too many requests: try again in ${retryAfterSeconds} s`, {
      retryAfterSeconds,
    });
  }
}

/**
 * Per-client request budgets, counted in PostgreSQL (rate-limiter-flexible) so that every hub instance
 * behind a load balancer draws on the same budget. A client is a verified principal (organisation and
 * subject, or its OAuth client); anonymous requests are counted by address.
 */
@Injectable()
export class RateLimitService implements OnModuleInit {
  private limiter?: RateLimiterPostgres;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  onModuleInit(): void {
    if (!this.config.rateLimit.perMinute) return;
    const pool = (this.dataSource.driver as unknown as { master: unknown }).master;
    this.limiter = new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limit',
      tableCreated: true,
      keyPrefix: 'rl',
      points: this.config.rateLimit.perMinute,
      duration: 60,
      clearExpiredByTimeout: false,
    });
  }

  /** Spends one request of `client`'s budget; throws RateLimitedException when it is spent. */
  async consume(client: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(client);
    } catch (result) {
      if (result instanceof RateLimiterRes) throw new RateLimitedException(Math.max(1, Math.ceil(result.msBeforeNext / 1000)));
      // The store failed: refuse rather than serve unmetered (fail closed).
      throw result;
    }
  }
}
