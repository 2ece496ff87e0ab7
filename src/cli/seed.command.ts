import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CliHost } from '../engine/cli-host';
import { PersonDirectory } from '../identity/directory/person-directory.service';
import { CaseAssignmentsService } from '../access/relationships/case-assignments.service';
import { AccessSeedService } from '../access/seed/access-seed.service';
import { assignDemoCaseload } from '../access/seed/demo-caseload';
import { LifeEventSubscriptionsService } from '../life-events/subscriptions/life-event-subscriptions.service';

interface SeedOptions {
  caseload?: string;
  households?: number;
}

/**
 * `npm run cli -- seed`: loads the demo organisations and agreements, and the demo Tell Us Once subscriptions
 * of the council's source systems (idempotent), and prints what it added.
 * With `--caseload TEAM`, also puts households that several services know on that team's caseload.
 */
@Command({
  name: 'seed',
  description:
    'Load the demo organisations, data-sharing agreements and Tell Us Once subscriptions (idempotent); --caseload TEAM assigns demo households',
})
export class SeedCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_args: string[], options: SeedOptions): Promise<void> {
    const summary = await this.cli.withHubContext(async (app) => {
      const seeded = {
        ...(await app.get(AccessSeedService).seedDemo()),
        lifeEventSubscriptions: await app.get(LifeEventSubscriptionsService).seedDemo(),
      };
      if (!options.caseload) return seeded;
      const households = await assignDemoCaseload(
        app.get(DataSource),
        app.get(PersonDirectory),
        app.get(CaseAssignmentsService),
        options.caseload,
        options.households ?? 5,
      );
      return { ...seeded, caseload: { team: options.caseload, households } };
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }

  @Option({ flags: '--caseload <team>', description: 'assign demo households to this team (e.g. early-help-north)' })
  parseCaseload(value: string): string {
    return value;
  }

  @Option({ flags: '--households <n>', description: 'how many households to assign (default 5)' })
  parseHouseholds(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 100) throw new Error('--households must be a whole number from 1 to 100');
    return n;
  }
}
