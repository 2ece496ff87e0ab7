import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { ConfigError } from '../config/config';
import { DatabaseUnavailableError, oneLine } from '../database/database-runtime';
import { CliModule } from './cli.module';

/** Errors a user can act on print as one line; anything else also prints one line, then exits non-zero. */
function fail(error: unknown): never {
  const known = error instanceof ConfigError || error instanceof DatabaseUnavailableError;
  process.stderr.write(`${known ? (error as Error).message : `Error: ${oneLine(error)}`}\n`);
  if (process.env.LOG_LEVEL === 'debug' && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  await CommandFactory.run(CliModule, {
    logger: false,
    errorHandler: (error) => {
      // commander reports help and version as "errors" with exit code 0.
      const exitCode = (error as { exitCode?: number }).exitCode;
      if (exitCode === 0) process.exit(0);
      process.exit(exitCode ?? 1);
    },
    serviceErrorHandler: fail,
  });
}

main().catch(fail);
