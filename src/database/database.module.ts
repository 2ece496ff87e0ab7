import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/config';
import { dataSourceOptions } from './data-source-options';
import { DatabaseRuntime } from './database-runtime';

/** TypeORM on the runtime's database; migrations run at start, entities come from `forFeature`. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(runtime: DatabaseRuntime, logLevel: AppConfig['logLevel']): DynamicModule {
    // Migrations are worth a line at start; a quiet log (tests, tools) wants only failures.
    const quiet = !['info', 'debug', 'trace'].includes(logLevel);
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.url, [], quiet ? ['error'] : ['error', 'warn', 'migration']),
          autoLoadEntities: true,
          migrationsRun: true,
          retryAttempts: 0,
        }),
      ],
      providers: [{ provide: DatabaseRuntime, useValue: runtime }],
      exports: [DatabaseRuntime],
    };
  }
}
