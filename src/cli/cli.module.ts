import { Module } from '@nestjs/common';
import { EvalCommand } from '../identity/cli/eval.command';
import { LinkCommand } from '../identity/cli/link.command';
import { SeedCommand } from './seed.command';
import { auditCommands } from '../audit/cli/audit.command';
import { TokenCommand } from '../auth/token.command';
import { MatchCommand } from '../identity/index/match.command';
import { CliHost } from '../engine/cli-host';
import { HubCliHost } from './cli-context';
import { MigrateCommand } from './migrate.command';
import { BoroughCommand } from '../sandbox/borough.command';
import { quarantineCommands } from '../sources/quarantine/quarantine.command';
import { SyncCommand } from '../sources/sync/sync.command';

/**
 * Every `npm run cli -- <command>`; each command lives in its own file beside its domain or here, and is
 * given the hub (configuration, application context) as a CliHost: no command imports the AppModule.
 */
@Module({
  providers: [
    { provide: CliHost, useClass: HubCliHost },
    MigrateCommand,
    TokenCommand,
    SeedCommand,
    LinkCommand,
    EvalCommand,
    ...auditCommands,
    SyncCommand,
    ...quarantineCommands,
    BoroughCommand,
    MatchCommand,
  ],
})
export class CliModule {}
