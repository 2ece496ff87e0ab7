import { EmbeddedServer } from '../../src/database/embedded-server';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __embeddedTestServer?: EmbeddedServer }).__embeddedTestServer;
  await server?.stop();
}
