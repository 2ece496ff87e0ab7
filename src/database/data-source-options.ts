import { DataSourceOptions } from 'typeorm';
import { migrations } from '../../migrations';
import { QueryLogger } from './query-logger';

/**
 * Connection options shared by the hub, the CLI and the tests. Migrations are explicit classes (not a
 * glob) so the same list works compiled and under Jest; schema synchronisation is never used.
 */
export function dataSourceOptions(url: string, entities: DataSourceOptions['entities'] = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    migrationsTableName: 'schema_migration',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    logger: new QueryLogger(),
    maxQueryExecutionTime: 2000,
    extra: { max: 20, connectionTimeoutMillis: 10_000 },
  };
}
