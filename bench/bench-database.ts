import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../src/database/data-source-options';
import { EmbeddedServer } from '../src/database/embedded-server';

export interface BenchDatabase {
  dataSource: DataSource;
  /** `TEST_DATABASE_URL` or `embedded`, for the report. */
  kind: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database for one benchmark run on TEST_DATABASE_URL, else an embedded server. */
export async function benchDatabase(): Promise<BenchDatabase> {
  const embedded = process.env.TEST_DATABASE_URL
    ? undefined
    : await EmbeddedServer.start(join(__dirname, '..', '.data', 'bench'));
  const serverUrl = process.env.TEST_DATABASE_URL ?? embedded!.url;
  const name = `hub_bench_${randomBytes(4).toString('hex')}`;
  await admin(serverUrl, `create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataSource = new DataSource(dataSourceOptions(url.toString(), [], ['error']));
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    kind: embedded ? 'embedded' : 'TEST_DATABASE_URL',
    drop: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin(serverUrl, `drop database if exists ${name} with (force)`);
      await embedded?.stop();
    },
  };
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
