import { resolve } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { sandboxDefinitions } from './sandbox-registry';
import { writeBorough } from './borough-files';

interface BoroughCommandOptions {
  households?: number;
  seed?: string;
  out?: string;
  csv?: boolean;
}

@Command({
  name: 'borough',
  description:
    "Generate a synthetic borough: each sandbox source's data, the ground truth and (with --csv) identities as CSV for link/eval",
})
export class BoroughCommand extends CommandRunner {
  async run(_args: string[], options: BoroughCommandOptions): Promise<void> {
    const out = resolve(options.out ?? 'borough');
    const manifest = await writeBorough(
      out,
      { households: options.households ?? 2000, seed: options.seed ?? 'borough' },
      sandboxDefinitions,
      options.csv ?? false,
    );
    process.stdout.write(
      `${JSON.stringify({ out, ...manifest, csv: options.csv ? ['housing.csv', 'benefits.csv', 'social-care.csv', 'mapping.json'] : [] })}\n`,
    );
  }

  @Option({ flags: '-n, --households <count>', description: 'households to generate (default 2000)' })
  parseHouseholds(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 200_000)
      throw new Error('--households must be a whole number from 1 to 200000');
    return n;
  }

  @Option({
    flags: '--seed <seed>',
    description: 'seed: the same seed always gives the same borough (default "borough")',
  })
  parseSeed(value: string): string {
    return value;
  }

  @Option({ flags: '-o, --out <dir>', description: 'output directory (default ./borough)' })
  parseOut(value: string): string {
    return value;
  }

  @Option({
    flags: '--csv',
    description: 'also write housing.csv, benefits.csv, social-care.csv (with person_id truth) and mapping.json',
  })
  parseCsv(): boolean {
    return true;
  }
}
