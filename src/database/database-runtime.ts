import { Client } from 'pg';
import { AppConfig, describeDatabaseUrl } from '../config/config';
import { EmbeddedServer } from './embedded-server';

export type DatabaseMode = 'embedded' | 'external';

/** Thrown when the database cannot be reached; its message is one line fit to print as it is. */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
}

/**
 * Where the hub's PostgreSQL is: the external server named by DATABASE_URL, or the embedded one. Created
 * before the Nest application so that a bad database stops the process with one clear line, and stopped
 * after the application so that no connection outlives the server.
 */
export class DatabaseRuntime {
  private constructor(
    readonly mode: DatabaseMode,
    readonly url: string,
    private readonly server?: EmbeddedServer,
  ) {}

  static async open(config: AppConfig, log?: (line: string) => void): Promise<DatabaseRuntime> {
    if (config.databaseUrl) {
      await probe(config.databaseUrl, 'DATABASE_URL');
      return new DatabaseRuntime('external', config.databaseUrl);
    }
    let server: EmbeddedServer;
    try {
      server = await EmbeddedServer.start(config.dataDir, log);
    } catch (error) {
      throw new DatabaseUnavailableError(
        `Embedded PostgreSQL could not start under HUB_DATA_DIR=${config.dataDir}: ${oneLine(error)}`,
      );
    }
    const url = await ensureDatabase(server.url, 'hub');
    return new DatabaseRuntime('embedded', url, server);
  }

  async close(): Promise<void> {
    await this.server?.stop();
  }
}

/** Connects once, so an unreachable or refusing server is reported before anything else starts. */
export async function probe(url: string, variable: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Cannot connect to the database in ${variable} (${describeDatabaseUrl(url)}): ${oneLine(error)}`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Creates `name` on the server if it is missing; returns the URL of that database. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } catch (error) {
    // Another process may have created it between the check and the create.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message || error.name : String(error);
  const aggregate = (error as { errors?: unknown[] })?.errors;
  const detail = text || (Array.isArray(aggregate) && aggregate.length ? oneLine(aggregate[0]) : 'unknown error');
  return detail.replace(/\s+/g, ' ').trim();
}
