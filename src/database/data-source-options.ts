import { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { QueryLogger } from './query-logger';

/**
 * Connection options shared by the hub, the CLI and the tests. Migrations are explicit classes (not a
 * glob) so the same list works compiled and under Jest; schema synchronisation is never used.
 */
export function dataSourceOptions(
  url: string,
  entities: DataSourceOptions['entities'] = [],
  /** What to log: the hub logs all three; tools and tests only errors. */
  logging: ('error' | 'warn' | 'migration')[] = ['error', 'warn', 'migration'],
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging,
    logger: new QueryLogger(logging),
    maxQueryExecutionTime: 2000,
    extra: { max: 20, connectionTimeoutMillis: 10_000 },
  };
}
