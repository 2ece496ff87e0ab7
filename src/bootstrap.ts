import 'reflect-metadata';
import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/config';
import { DatabaseRuntime } from './database/database-runtime';

export interface Hub {
  app: INestApplication;
  runtime: DatabaseRuntime;
  /** Closes the application, then the embedded database if this process started it. */
  close(): Promise<void>;
}

/** Builds the hub on an open database runtime. Used by `main.ts` and by the end-to-end tests. */
export async function createHub(config: AppConfig, runtime: DatabaseRuntime): Promise<Hub> {
  const app = await NestFactory.create(AppModule.forRoot(config, runtime), { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  let closed: Promise<void> | undefined;
  return {
    app,
    runtime,
    close: () => (closed ??= app.close().finally(() => runtime.close())),
  };
}
