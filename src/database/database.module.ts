import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source-options';
import { DatabaseRuntime } from './database-runtime';

/** TypeORM on the runtime's database; migrations run at start, entities come from `forFeature`. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(runtime: DatabaseRuntime): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(runtime.url),
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
