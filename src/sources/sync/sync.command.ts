import { MultiBar, Presets, SingleBar } from 'cli-progress';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CliHost } from '../../engine/cli-host';
import { AfterSync } from './after-sync';
import { IdentitySyncService } from './identity-sync.service';
import { SyncProgress } from './source-sync';

interface SyncCommandOptions {
  source?: string;
  full?: boolean;
}

@Command({
  name: 'sync',
  description:
    'Pull identities from the sources into source_record (incremental; --full for a full load), then match them into the person index; prints a JSON summary',
})
export class SyncCommand extends CommandRunner {
  constructor(private readonly cli: CliHost) {
    super();
  }

  async run(_args: string[], options: SyncCommandOptions): Promise<void> {
    const progress = process.stderr.isTTY ? new ProgressBars() : undefined;
    const { summaries, identity } = await this.cli.withHubContext(async (app) => {
      let synced;
      try {
        synced = await app
          .get(IdentitySyncService)
          .sync({ source: options.source, full: options.full, onProgress: (p) => progress?.update(p) });
      } finally {
        progress?.stop();
      }
      // New and changed records go straight into the person index, as after a background sync.
      return { summaries: synced, identity: await app.get(AfterSync, { strict: false }).run(synced) };
    });
    process.stdout.write(`${JSON.stringify({ sources: summaries, identity })}\n`);
    if (summaries.some((s) => s.status === 'failed')) process.exitCode = 1;
  }

  @Option({
    flags: '-s, --source <name>',
    description: 'only this source (housing, benefits, social-care, or as configured)',
  })
  parseSource(value: string): string {
    return value;
  }

  @Option({ flags: '--full', description: 'a full load: records the source no longer lists are marked deleted' })
  parseFull(): boolean {
    return true;
  }
}

/** One bar per source on the terminal (stderr, so the JSON summary on stdout stays clean). */
class ProgressBars {
  private readonly multi = new MultiBar(
    {
      format: ' {source} [{bar}] {value}{of} records, {pages} pages',
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    Presets.shades_classic,
  );
  private readonly bars = new Map<string, SingleBar>();

  update(p: SyncProgress): void {
    let bar = this.bars.get(p.source);
    const total = p.total ?? Math.max(p.received, 1);
    const payload = { source: p.source.padEnd(11), pages: p.pages, of: p.total ? ` of ${p.total}` : '' };
    if (!bar) {
      bar = this.multi.create(total, p.received, payload);
      this.bars.set(p.source, bar);
    } else {
      bar.setTotal(Math.max(total, p.received));
      bar.update(p.received, payload);
    }
  }

  stop(): void {
    this.multi.stop();
  }
}
