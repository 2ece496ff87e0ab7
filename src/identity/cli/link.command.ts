import { Command, CommandRunner, Option } from 'nest-commander';
import { CsvInputError } from './csv-mapping';
import { defaultScoringThreads } from '../matching/parallel-scoring';
import { runLink, writeClusters } from './link-pipeline';

interface LinkOptions {
  mapping: string;
  out: string;
  threads?: number;
}

@Command({
  name: 'link',
  arguments: '<inputs...>',
  description: 'Link (de-duplicate) records within and across CSV files; writes source,record_id,cluster_id',
  argsDescription: { inputs: 'input CSV files with a header row; source = file name without .csv' },
})
export class LinkCommand extends CommandRunner {
  async run(inputs: string[], options: LinkOptions): Promise<void> {
    if (!options?.mapping) throw new CsvInputError('--mapping MAPPING.json is required');
    if (!options.out) throw new CsvInputError('--out CLUSTERS.csv is required');
    const run = await runLink(inputs, options.mapping, {}, {}, options.threads ?? defaultScoringThreads());
    for (const warning of run.batch.warnings) process.stderr.write(`warning: ${warning}\n`);
    writeClusters(options.out, run.batch.records, run.result.clusterOf);
    const summary = {
      out: options.out,
      records: run.batch.records.length,
      clusters: run.result.clusterCount,
      candidatePairs: run.result.candidatePairs,
      autoLinks: run.result.autoLinks,
      reviewPairs: run.result.review.length,
      reviewNotQueued: run.result.reviewNotQueued,
      threads: options.threads ?? defaultScoringThreads(),
      ...(run.result.chunksPerThread ? { chunksPerThread: run.result.chunksPerThread } : {}),
      timings: run.timings,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  }

  @Option({ flags: '--mapping <path>', description: 'JSON mapping of CSV columns to identity fields' })
  parseMapping(value: string): string {
    return value;
  }

  @Option({ flags: '--out <path>', description: 'CSV file to write the clusters to' })
  parseOut(value: string): string {
    return value;
  }

  @Option({
    flags: '--threads <n>',
    description:
      'threads scoring candidate pairs, 1 to 16 (default: the cores available, at most 4); results do not depend on it',
  })
  parseThreads(value: string): number {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 16)
      throw new CsvInputError('--threads must be a whole number from 1 to 16');
    return n;
  }
}
