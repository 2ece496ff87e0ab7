import { join } from 'node:path';
import { probe } from '../../src/database/database-runtime';
import { EmbeddedServer } from '../../src/database/embedded-server';

/**
 * One PostgreSQL server for the whole run: TEST_DATABASE_URL when set, else an embedded server kept under
 * .data/test-pg. Each suite then creates its own database on it (test/support/test-database.ts).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    await probe(process.env.TEST_DATABASE_URL, 'TEST_DATABASE_URL');
    return;
  }
  const server = await EmbeddedServer.start(join(__dirname, '..', '..', '.data', 'test'));
  process.env.TEST_DATABASE_URL = server.url;
  (globalThis as { __embeddedTestServer?: EmbeddedServer }).__embeddedTestServer = server;
}
