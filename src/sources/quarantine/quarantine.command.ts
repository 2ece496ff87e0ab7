import { Command, CommandRunner, SubCommand } from 'nest-commander';
import { cliActor } from '../../audit/dpo/dpo-activity';
import { CliHost } from '../../engine/cli-host';
import { QuarantinePurgeService } from './quarantine-purge.service';

@SubCommand({
  name: 'purge',
  description:
    'Apply QUARANTINE_RETENTION_DAYS: clear raw values last seen before it, delete rows resolved before it (audited); prints {purgedRaw, deletedResolved, retentionDays}',
})
export class QuarantinePurgeCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(): Promise<void> {
    const result = await this.cli.withHubContext((app) => app.get(QuarantinePurgeService).purge(cliActor()));
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

@Command({ name: 'quarantine', description: 'The sources quarantine: purge', subCommands: [QuarantinePurgeCommand] })
export class QuarantineCommand extends CommandRunner {
  async run(): Promise<void> {
    this.command.help();
  }
}

export const quarantineCommands = [QuarantineCommand, QuarantinePurgeCommand];
