import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../config/config';

/**
 * What a CLI command needs of the hub, injected into it by the CLI's module (src/cli/cli.module.ts), so
 * that a command beside its domain never imports the AppModule (which imports every domain, its own too).
 */
export abstract class CliHost {
  /** The settings from the environment, validated (a bad one throws ConfigError). */
  abstract config(): AppConfig;

  /**
   * Runs `work` with the hub's application context (every service, no HTTP server, no background work) on
   * the configured database, embedded or external, and closes both afterwards.
   */
  abstract withHubContext<T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T>;
}
