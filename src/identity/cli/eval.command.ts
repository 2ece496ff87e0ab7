import { Command, CommandRunner, Option } from 'nest-commander';
import { CsvInputError } from './csv-mapping';
import { pairwiseScores, runLink, writeClusters } from './link-pipeline';

interface EvalOptions {
  mapping: string;
  truthColumn?: string;
  truthPattern?: string;
  truthFebrl?: boolean;
  out?: string;
}

/** FEBRL's rec_id is rec-N-org or rec-N-dup-K: the entity is N. */
const FEBRL = { column: 'rec_id', pattern: '^rec-(\\d+)' };

@Command({
  name: 'eval',
  arguments: '<inputs...>',
  description:
    'Link CSV files (as link does) and score the clusters pairwise against a ground-truth column; prints JSON',
})
export class EvalCommand extends CommandRunner {
  async run(inputs: string[], options: EvalOptions): Promise<void> {
    if (!options?.mapping) throw new CsvInputError('--mapping MAPPING.json is required');
    const truthColumn = options.truthColumn ?? (options.truthFebrl ? FEBRL.column : undefined);
    if (!truthColumn) throw new CsvInputError('--truth-column COL (or --truth-febrl) is required');
    const patternText = options.truthPattern ?? (options.truthFebrl ? FEBRL.pattern : undefined);
    let truthPattern: RegExp | undefined;
    try {
      truthPattern = patternText ? new RegExp(patternText) : undefined;
    } catch (error) {
      throw new CsvInputError(`--truth-pattern: ${(error as Error).message}`);
    }
    const run = await runLink(inputs, options.mapping, { truthColumn, truthPattern });
    for (const warning of run.batch.warnings) process.stderr.write(`warning: ${warning}\n`);
    if (options.out) writeClusters(options.out, run.batch.records, run.result.clusterOf);
    const training = run.matcher.training;
    const report = {
      inputs,
      ...pairwiseScores(run.batch.truth, run.result.clusterOf),
      clusters: run.result.clusterCount,
      candidatePairs: run.result.candidatePairs,
      autoLinks: run.result.autoLinks,
      reviewPairs: run.result.review.length,
      reviewNotQueued: run.result.reviewNotQueued,
      prior: training?.prior,
      thresholds: run.matcher.model.config.thresholds,
      timings: run.timings,
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(report)}\n`);
  }

  @Option({ flags: '--mapping <path>', description: 'JSON mapping of CSV columns to identity fields' })
  parseMapping(value: string): string {
    return value;
  }

  @Option({ flags: '--truth-column <column>', description: 'column holding the true entity of each row' })
  parseTruthColumn(value: string): string {
    return value;
  }

  @Option({
    flags: '--truth-pattern <regex>',
    description: 'entity = first capture group of this pattern in the truth column',
  })
  parseTruthPattern(value: string): string {
    return value;
  }

  @Option({
    flags: '--truth-febrl',
    description: "FEBRL ground truth: --truth-column rec_id --truth-pattern '^rec-(\\d+)'",
  })
  parseTruthFebrl(): boolean {
    return true;
  }

  @Option({ flags: '--out <path>', description: 'also write the clusters (source,record_id,cluster_id)' })
  parseOut(value: string): string {
    return value;
  }
}
