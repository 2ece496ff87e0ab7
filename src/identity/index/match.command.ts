import { SingleBar, Presets } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CliHost } from '../../engine/cli-host';
import { HouseholdsService } from '../../households/households.service';
import { IdentityIndexService } from './identity-index.service';

interface MatchOptions {
  retrain?: boolean;
  all?: boolean;
}

@Command({
  name: 'match',
  description:
    'Match new and changed source records into the person index, then re-resolve households; prints a JSON summary',
})
export class MatchCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_args: string[], options: MatchOptions): Promise<void> {
    const summary = await this.cli.withHubContext(async (app) => {
      const index = app.get(IdentityIndexService);
      if (options.retrain) await index.train();
      const requeued = options.all ? await index.requeueAll() : 0;
      const pending = await index.pendingCount();
      const bar =
        process.stderr.isTTY && pending > 0
          ? new SingleBar(
              { format: ' matching [{bar}] {value} of {total} records', stream: process.stderr },
              Presets.shades_classic,
            )
          : undefined;
      bar?.start(pending, 0);
      try {
        const matched = await index.matchPending({ onProgress: (done) => bar?.update(done) });
        const households = await app.get(HouseholdsService).resolveAll();
        return {
          requeued,
          matched,
          households,
          model: matched.processed || pending === 0 ? 'ready' : 'waiting for more records to train on',
        };
      } finally {
        bar?.stop();
      }
    });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }

  @Option({ flags: '--retrain', description: 'train a new model on the current records first' })
  parseRetrain(): boolean {
    return true;
  }

  @Option({ flags: '--all', description: 're-match every record (ids and manual decisions are kept)' })
  parseAll(): boolean {
    return true;
  }
}
