// A sync in its own process, for the test that kills one mid-way: `node -r ./test/support/swc-register.cjs
// test/support/sync-child.ts` with SYNC_CHILD_DATABASE_URL, SYNC_CHILD_CONNECTION (JSON) and SYNC_CHILD_FULL.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createAdapter } from '../../src/sources/source-registry';
import { SourceConnection } from '../../src/sources/sources-config';
import { syncSource } from '../../src/sources/sync/source-sync';

async function main(): Promise<void> {
  const connection = JSON.parse(process.env.SYNC_CHILD_CONNECTION!) as SourceConnection;
  const dataSource = new DataSource(dataSourceOptions(process.env.SYNC_CHILD_DATABASE_URL!, [], ['error']));
  await dataSource.initialize();
  const summary = await syncSource(dataSource, connection.id, createAdapter(connection), {
    full: process.env.SYNC_CHILD_FULL === 'true',
    onProgress: (p) => process.stdout.write(`page ${p.pages}\n`),
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  await dataSource.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
