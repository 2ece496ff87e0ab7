import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own loggers print a failed query's parameters, which here are personal data (names, NINOs,
 * person ids of an audit event). This one logs the error and the statement, never the values.
 */
export class QueryLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('Database');

  constructor(private readonly levels: readonly ('error' | 'warn' | 'migration')[] = ['error', 'warn', 'migration']) {}

  logQuery(): void {
    // Every query would be too much; failures and slow queries are logged below.
  }

  logQueryError(error: string | Error, query: string): void {
    if (!this.levels.includes('error')) return;
    this.logger.error(`query failed: ${failureMessage(error)} [${statement(query)}]`);
  }

  logQuerySlow(time: number, query: string): void {
    if (!this.levels.includes('warn')) return;
    this.logger.warn(`slow query (${time} ms): ${statement(query)}`);
  }

  /** TypeORM reports each migration it ran through this one. */
  logSchemaBuild(message: string): void {
    if (this.levels.includes('migration')) this.logger.log(message);
  }

  logMigration(message: string): void {
    if (!this.levels.includes('migration')) return;
    this.logger.log(message);
  }

  /** TypeORM's informational lines are about migrations (which ran, which are pending). */
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') {
      if (this.levels.includes('warn')) this.logger.warn(String(message));
    } else if (this.levels.includes('migration')) this.logger.log(String(message));
  }
}

/**
 * PostgreSQL quotes the offending value in some messages (`invalid input syntax for type uuid: "…"`): every
 * quoted part is left out, so a value never reaches the log (an identifier goes with it; the code stays).
 */
export function failureMessage(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/"[^"]*"/g, '"…"');
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? `${message} (SQLSTATE ${code})` : message;
}

/**
 * What kind of failure, without any of its text: the SQLSTATE of a PostgreSQL error, the code of a
 * network error (`ECONNREFUSED`), or the error's name. For places anyone can read, such as readiness.
 */
export function failureCode(error: unknown): string {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return `SQLSTATE ${code}`;
  if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
  return error instanceof Error ? error.name : 'unknown';
}

export function statement(query: string): string {
  const oneLine = query.replace(/\s+/g, ' ').trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 300)}…` : oneLine;
}
