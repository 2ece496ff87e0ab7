import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { failureMessage, statement } from './query-logger';

const logger = new Logger('Database');
const names = new Map<string, string>();

/**
 * A read on the hot path of every view, as a named prepared statement on the DataSource's pool: PostgreSQL
 * parses and plans it once per connection instead of on every call (for these small reads planning cost
 * more than running them). Outside a transaction only. Like the query logger, a failure is logged with its
 * statement and never its values (personal data).
 */
export async function preparedQuery<T>(dataSource: DataSource, text: string, values: unknown[]): Promise<T[]> {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) return dataSource.query(text, values);
  let name = names.get(text);
  if (!name) names.set(text, (name = `hub_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  try {
    return (await pool.query({ name, text, values })).rows as T[];
  } catch (error) {
    logger.error(`query failed: ${failureMessage(error)} [${statement(text)}]`);
    throw error;
  }
}
