import { Command, CommandRunner } from 'nest-commander';
import { withHubContext } from '../../cli/cli-context';
import { AccessSeedService } from './access-seed.service';

/** `npm run cli -- seed`: loads the demo organisations and agreements (idempotent) and prints what it added. */
@Command({ name: 'seed', description: 'Load the demo organisations and data-sharing agreements (idempotent)' })
export class SeedCommand extends CommandRunner {
  async run(): Promise<void> {
    const summary = await withHubContext((app) => app.get(AccessSeedService).seedDemo());
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }
}
