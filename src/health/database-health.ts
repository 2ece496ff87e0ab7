import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { failureCode, failureMessage } from '../database/query-logger';

/**
 * The database's part of readiness: `select 1` within 3 s. Terminus's own check would put the driver's
 * message in the public answer (host, port, role or database name); this one gives only the kind of
 * failure, and logs the message (quoted parts left out) for the operator.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger('Health');

  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
  ) {}

  async check(key = 'database', timeoutMs = 3000) {
    const indicator = this.indicators.check(key);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.dataSource.query('select 1'), timeout]);
      return indicator.up();
    } catch (error) {
      this.logger.warn(`readiness: the database did not answer: ${failureMessage(error)}`);
      return indicator.down({
        problem: `the database did not answer (${failureCode(error)}; the reason is in the hub's log)`,
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
