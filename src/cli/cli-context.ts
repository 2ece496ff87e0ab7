import { INestApplicationContext, Injectable } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { loadConfig } from '../hub-config';
import { dataSourceOptions } from '../database/data-source-options';
import { DatabaseRuntime } from '../database/database-runtime';
import { CliHost } from '../engine/cli-host';

/**
 * Runs `work` with the hub's application context (every service, no HTTP server) on the configured
 * database, embedded or external, and closes both afterwards. For commands that need the domain services.
 */
export async function withHubContext<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const runtime = await DatabaseRuntime.open(config);
  try {
    // A one-off command starts no background work (scheduled sync, sync on start, delivery workers).
    const commandConfig = {
      ...config,
      logLevel: quietLevel(config.logLevel),
      sources: { ...config.sources, background: false },
      lifeEventDelivery: { ...config.lifeEventDelivery, background: false },
    };
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(commandConfig, runtime), {
      logger: false,
      abortOnError: false,
    });
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  } finally {
    await runtime.close();
  }
}

/** Runs `work` with a bare data source (migrations not run), for commands that manage the schema itself. */
export async function withDataSource<T>(
  work: (dataSource: DataSource, runtime: DatabaseRuntime) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const runtime = await DatabaseRuntime.open(config);
  const dataSource = new DataSource(dataSourceOptions(runtime.url, [], ['error']));
  try {
    await dataSource.initialize();
    return await work(dataSource, runtime);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await runtime.close();
  }
}

/** A CLI prints its own results; the service logs would only clutter a terminal unless asked for. */
function quietLevel(level: ReturnType<typeof loadConfig>['logLevel']) {
  return process.env.LOG_LEVEL ? level : 'warn';
}

/** The CliHost the commands are given: the hub's configuration and application context. */
@Injectable()
export class HubCliHost extends CliHost {
  config() {
    return loadConfig();
  }

  withHubContext<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
    return withHubContext(work);
  }
}
