/**
 * Matching quality in process, without a build: every tuning set in ../shared/eval and the seeded held-out
 * stand-ins of bench/match-heldout.ts, linked at the default thresholds and scored pairwise, with review
 * pairs per 1,000 records. `bench:match` runs the same sets through the CLI; this is the quick loop for
 * working on the matcher, and `--explain SET` prints the pairs it misses and the pairs it links wrongly.
 *
 *   node -r ./test/support/swc-register.cjs bench/match-quality.ts [--sets a,b] [--explain SET] [--json OUT]
 *     [--seed N] (the stand-ins' seed, 19 by default: another seed writes other people and other corruptions)
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pairwiseScores, runLink } from '../src/identity/cli/link-pipeline';
import { MatchConfigInput } from '../src/identity/matching/match-config';
import { HeldoutSet, writeHeldoutSets } from './match-heldout';
import { writeSyntheticPopulation } from './match-synthetic';

export interface QualitySet {
  name: string;
  inputs: string[];
  mapping: string;
  truthColumn: string;
  truthPattern?: RegExp;
  mustStayApart?: HeldoutSet['mustStayApart'];
}

export interface QualityFigures {
  records: number;
  precision: number;
  recall: number;
  f1: number;
  reviewPairs: number;
  reviewPer1000: number;
  /** Review items beyond the workload limit, left out of the queue. */
  reviewNotQueued?: number;
  twinsMerged?: string;
  srJrMerged?: string;
}

const FEBRL = /^rec-(\d+)/;

/** The tuning sets and the held-out stand-ins (written under `dir`). */
export function qualitySets(root: string, dir: string, seed = 19): QualitySet[] {
  const evalDir = resolve(root, '..', 'shared', 'eval');
  const mappings = join(root, 'bench', 'mappings');
  const noId = join(dir, 'febrl-no-id.json');
  const heldout = writeHeldoutSets(dir, seed);
  return [
    {
      name: 'febrl1',
      inputs: [join(evalDir, 'febrl1.csv')],
      mapping: join(mappings, 'febrl.json'),
      truthColumn: 'rec_id',
      truthPattern: FEBRL,
    },
    {
      name: 'febrl2',
      inputs: [join(evalDir, 'febrl2.csv')],
      mapping: join(mappings, 'febrl.json'),
      truthColumn: 'rec_id',
      truthPattern: FEBRL,
    },
    {
      name: 'fake_1000',
      inputs: [join(evalDir, 'fake_1000.csv')],
      mapping: join(mappings, 'fake_1000.json'),
      truthColumn: 'cluster',
    },
    {
      name: 'febrl1-no-id',
      inputs: [join(evalDir, 'febrl1.csv')],
      mapping: noId,
      truthColumn: 'rec_id',
      truthPattern: FEBRL,
    },
    {
      name: 'febrl2-no-id',
      inputs: [join(evalDir, 'febrl2.csv')],
      mapping: noId,
      truthColumn: 'rec_id',
      truthPattern: FEBRL,
    },
    ...heldout.map((h) => ({
      name: h.name,
      inputs: h.inputs,
      mapping: h.mapping,
      truthColumn: h.truthArgs[0] === '--truth-febrl' ? 'rec_id' : h.truthArgs[1],
      truthPattern: h.truthArgs[0] === '--truth-febrl' ? FEBRL : undefined,
      mustStayApart: h.mustStayApart,
    })),
  ];
}

export async function measure(
  set: QualitySet,
  config: MatchConfigInput = {},
  explain = false,
): Promise<QualityFigures> {
  const run = await runLink(
    set.inputs,
    set.mapping,
    { truthColumn: set.truthColumn, truthPattern: set.truthPattern },
    config,
  );
  const scores = pairwiseScores(run.batch.truth, run.result.clusterOf);
  const n = run.batch.records.length;
  const figures: QualityFigures = {
    records: n,
    precision: scores.precision,
    recall: scores.recall,
    f1: scores.f1,
    reviewPairs: run.result.review.length,
    reviewPer1000: Math.round((run.result.review.length / n) * 10000) / 10,
    reviewNotQueued: run.result.reviewNotQueued,
  };
  if (set.mustStayApart) {
    const clustersOf = new Map<string, Set<number>>();
    run.batch.truth.forEach((t, i) => {
      if (!clustersOf.has(t)) clustersOf.set(t, new Set());
      clustersOf.get(t)?.add(run.result.clusterOf[i]);
    });
    const together = (a: string, b: string) => [...(clustersOf.get(a) ?? [])].some((c) => clustersOf.get(b)?.has(c));
    for (const kind of ['twins', 'sr-jr'] as const) {
      const pairs = set.mustStayApart.filter((p) => p.kind === kind);
      const merged = pairs.filter((p) => together(p.a, p.b)).length;
      if (explain) {
        for (const p of pairs.filter((q) => together(q.a, q.b))) {
          const ids = run.batch.truth.map((t, i) => (t === p.a || t === p.b ? i : -1)).filter((i) => i >= 0);
          process.stdout.write(`MERGED ${kind} ${p.a}/${p.b}\n`);
          for (let x = 0; x < ids.length; x++)
            for (let y = x + 1; y < ids.length; y++)
              if (run.result.clusterOf[ids[x]] === run.result.clusterOf[ids[y]])
                process.stdout.write(
                  `  ${run.batch.truth[ids[x]]}~${run.batch.truth[ids[y]]} ${describe(run, ids[x], ids[y])}\n`,
                );
        }
      }
      if (kind === 'twins') figures.twinsMerged = `${merged}/${pairs.length}`;
      else figures.srJrMerged = `${merged}/${pairs.length}`;
    }
  }
  if (explain) explainErrors(run, set);
  if (process.env.SHOW_REVIEW) {
    const buckets = new Map<string, [number, number]>();
    for (const r of run.result.review) {
      const p = 1 / (1 + Math.pow(2, -r.weight));
      const key = `${r.reason.slice(0, 12)} p${p >= 0.95 ? '>=.95' : p >= 0.9 ? '.90' : p >= 0.8 ? '.80' : p >= 0.7 ? '.70' : p >= 0.6 ? '.60' : p >= 0.5 ? '.50' : '<.5'}`;
      const b = buckets.get(key) ?? [0, 0];
      b[0]++;
      if (run.batch.truth[r.a] === run.batch.truth[r.b]) b[1]++;
      buckets.set(key, b);
    }
    process.stdout.write(
      `${set.name} review buckets (items, true): ${JSON.stringify(Object.fromEntries([...buckets].sort()))}\n`,
    );
  }
  if (process.env.SHOW_HOUSEHOLD)
    process.stdout.write(`${set.name} household ${JSON.stringify(run.matcher.training?.household)}\n`);
  return figures;
}

function explainErrors(run: Awaited<ReturnType<typeof runLink>>, set: QualitySet): void {
  const { records } = run.batch;
  const truth = run.batch.truth;
  const clusterOf = run.result.clusterOf;
  const prepared = records.map((r) => r.id);
  void prepared;
  const byTruth = new Map<string, number[]>();
  truth.forEach((t, i) => byTruth.set(t, [...(byTruth.get(t) ?? []), i]));
  const reviewed = new Map<string, string>();
  for (const r of run.result.review) reviewed.set(`${Math.min(r.a, r.b)}:${Math.max(r.a, r.b)}`, r.reason);
  const out: string[] = [];
  let missed = 0;
  for (const members of byTruth.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const [i, j] = [members[x], members[y]];
        if (clusterOf[i] === clusterOf[j]) continue;
        missed++;
        if (missed > 60) continue;
        out.push(`MISSED ${describe(run, i, j)} review=${reviewed.get(`${Math.min(i, j)}:${Math.max(i, j)}`) ?? '-'}`);
      }
    }
  }
  const byCluster = new Map<number, number[]>();
  clusterOf.forEach((c, i) => byCluster.set(c, [...(byCluster.get(c) ?? []), i]));
  let wrong = 0;
  for (const members of byCluster.values()) {
    for (let x = 0; x < members.length; x++) {
      for (let y = x + 1; y < members.length; y++) {
        const [i, j] = [members[x], members[y]];
        if (truth[i] === truth[j]) continue;
        if (++wrong <= 30) out.push(`FALSE ${describe(run, i, j)}`);
      }
    }
  }
  const reasons = new Map<string, number>();
  for (const r of run.result.review) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
  process.stdout.write(
    `${set.name}: ${missed} missed pairs, ${wrong} false pairs; review by reason ${JSON.stringify(Object.fromEntries(reasons))}\n${out.join('\n')}\n`,
  );
}

function describe(run: Awaited<ReturnType<typeof runLink>>, i: number, j: number): string {
  const s = run.matcher.scorePair(run.prepared[i], run.prepared[j]);
  const fields = s.fields.filter((f) => f.level !== 'null').map((f) => `${f.comparison}=${f.level}(${f.weight})`);
  const show = (k: number) => {
    const r = run.prepared[k];
    return `[${r.given?.key ?? ''} ${r.family?.key ?? ''} ${r.dob?.iso ?? ''} ${r.address?.join(' ') ?? ''} ${r.locality ?? ''} ${r.postcode?.full ?? ''} ${r.email?.full ?? ''} ${[...(r.identifiers?.values() ?? [])].join(' ')}]`;
  };
  return `${show(i)} ${show(j)} w=${s.weight} ${s.decision} hn=${s.hardNegatives.join('|')} c=${s.cautions.length} ${fields.join(' ')}`;
}

async function main(): Promise<void> {
  const argv = process.argv;
  const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const dir = mkdtempSync(join(tmpdir(), 'match-quality-'));
  const only = arg('--sets')?.split(',');
  const explain = arg('--explain');
  const config = arg('--config') ? (JSON.parse(arg('--config') as string) as MatchConfigInput) : {};
  const results: Record<string, QualityFigures> = {};
  for (const set of qualitySets(process.cwd(), dir, Number(arg('--seed') ?? 19))) {
    if (only && !only.includes(set.name)) continue;
    const f = await measure(set, config, explain === set.name);
    results[set.name] = f;
    process.stdout.write(
      `${set.name.padEnd(20)} n ${String(f.records).padStart(6)}  P ${f.precision.toFixed(4)}  R ${f.recall.toFixed(4)}  F1 ${f.f1.toFixed(4)}  review ${String(f.reviewPairs).padStart(5)} (${f.reviewPer1000}/1000, +${f.reviewNotQueued ?? 0} not queued)${f.twinsMerged ? `  twins ${f.twinsMerged} Sr/Jr ${f.srJrMerged}` : ''}\n`,
    );
  }
  const synthetic = Number(arg('--synthetic') ?? 0);
  if (synthetic) {
    const input = join(dir, 'synthetic.csv');
    const population = await writeSyntheticPopulation({ records: synthetic, seed: 7, out: input });
    const set: QualitySet = {
      name: 'synthetic',
      inputs: [input],
      mapping: join(process.cwd(), 'bench', 'mappings', 'synthetic.json'),
      truthColumn: 'person_id',
      mustStayApart: population.mustStayApart.map((p) => ({ kind: p.kind, a: String(p.a), b: String(p.b) })),
    };
    const f = await measure(set, config, explain === 'synthetic');
    results.synthetic = f;
    process.stdout.write(
      `${'synthetic'.padEnd(20)} n ${String(f.records).padStart(6)}  P ${f.precision.toFixed(4)}  R ${f.recall.toFixed(4)}  F1 ${f.f1.toFixed(4)}  review ${String(f.reviewPairs).padStart(5)} (${f.reviewPer1000}/1000, +${f.reviewNotQueued ?? 0} not queued)  twins ${f.twinsMerged} Sr/Jr ${f.srJrMerged}\n`,
    );
  }
  if (arg('--json')) writeFileSync(arg('--json') as string, `${JSON.stringify(results, null, 2)}\n`);
}

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
