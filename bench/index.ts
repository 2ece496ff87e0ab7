// `npm run bench:index`: incremental matching into the persistent person index. A borough
// (BENCH_HOUSEHOLDS, default 5,000) is synced from the sandbox sources into a fresh database, the model is
// trained, and every record is matched in batches as the hub does after a sync; then everything is matched
// again (ids must stay stable), and 500 changed records are matched incrementally. Prints throughput and
// pairwise precision / recall against the borough's ground truth, and whether any twin or Sr / Jr pair
// was merged.
import 'reflect-metadata';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HouseholdsService } from '../src/households/households.service';
import { PersonDirectory } from '../src/identity/directory/person-directory.service';
import { IdentityIndexService } from '../src/identity/index/identity-index.service';
import { groundTruthName, writeBorough } from '../src/sandbox/borough-files';
import { generateBorough } from '../src/sandbox/borough-generator';
import { GroundTruth } from '../src/sandbox/borough-model';
import { launchSandboxes } from '../src/sandbox/sandbox-launcher';
import { createAdapter } from '../src/sources/source-registry';
import { sandboxDefinitions } from '../src/sandbox/sandbox-registry';
import { syncSource } from '../src/sources/sync/source-sync';
import { benchDatabase } from './bench-database';

const households = Number(process.env.BENCH_HOUSEHOLDS ?? 5000);

async function main(): Promise<void> {
  const db = await benchDatabase();
  const dir = await mkdtemp(join(tmpdir(), 'hub-bench-index-'));
  let launched: Awaited<ReturnType<typeof launchSandboxes>> | undefined;
  try {
    const manifest = await writeBorough(dir, { households, seed: 'bench-index' }, sandboxDefinitions);
    launched = await launchSandboxes(sandboxDefinitions, { dir, pageSize: 1000 });
    for (const connection of launched.connections)
      await syncSource(db.dataSource, connection.id, createAdapter(connection), {});
    const truth = JSON.parse(await readFile(join(dir, groundTruthName), 'utf8')) as GroundTruth;

    const index = new IdentityIndexService(db.dataSource);
    const timed = async <T>(work: () => Promise<T>) => {
      const t0 = performance.now();
      const result = await work();
      return { result, seconds: (performance.now() - t0) / 1000 };
    };
    const training = await timed(() => index.train());
    const first = await timed(() => index.matchPending());
    const before = await links(db.dataSource);
    await index.requeueAll();
    const again = await timed(() => index.matchPending());
    const after = await links(db.dataSource);
    const moved = [...before].filter(([id, person]) => after.get(id) !== person).length;
    await db.dataSource.query(
      `update source_record set match_status = 'pending', change_seq = nextval('source_record_change_seq')
        where id in (select id from source_record order by md5(id::text) limit 500)`,
    );
    const incremental = await timed(() => index.matchPending());
    const householdsService = new HouseholdsService(db.dataSource, new PersonDirectory(db.dataSource));
    const householdRun = await timed(() => householdsService.resolveAll());
    // What a life event (a death, a move, a birth) pays: the same run again with little or nothing changed.
    const householdRerun = await timed(() => householdsService.resolveAll());
    const quality = { ...(await score(db.dataSource, truth)), ...(await hardPairs(db.dataSource, truth)) };

    const rate = (n: number, s: number) => Math.round(n / s);
    const lines = [
      { benchmark: 'index', households, people: manifest.people, records: first.result.processed, database: db.kind },
      { step: 'train', seconds: round(training.seconds) },
      {
        step: 'match all (empty index)',
        ...first.result,
        seconds: round(first.seconds),
        recordsPerSecond: rate(first.result.processed, first.seconds),
      },
      {
        step: 'match all again',
        processed: again.result.processed,
        newPersons: again.result.newPersons,
        linksMoved: moved,
        seconds: round(again.seconds),
        recordsPerSecond: rate(again.result.processed, again.seconds),
      },
      {
        step: 'match 500 changed records',
        processed: incremental.result.processed,
        seconds: round(incremental.seconds),
        recordsPerSecond: rate(incremental.result.processed, incremental.seconds),
      },
      { step: 'resolve households', ...householdRun.result, seconds: round(householdRun.seconds) },
      { step: 'resolve households again', ...householdRerun.result, seconds: round(householdRerun.seconds) },
      { quality },
    ];
    process.stdout.write(`${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  } finally {
    await launched?.close();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function links(dataSource: import('typeorm').DataSource): Promise<Map<string, string>> {
  const rows: { id: string; person: string }[] = await dataSource.query(
    'select source_record_id::text as id, person_id::text as person from person_link',
  );
  return new Map(rows.map((r) => [r.id, r.person]));
}

/** Pairwise precision and recall of the index against the truth, and merged twins / Sr-Jr pairs. */
async function score(dataSource: import('typeorm').DataSource, truth: GroundTruth) {
  const rows: { source: string; source_key: string; person: string }[] = await dataSource.query(
    'select r.source, r.source_key, l.person_id::text as person from source_record r join person_link l on l.source_record_id = r.id',
  );
  const truePerson = new Map(truth.records.map((r) => [`${r.source}|${r.sourceKey}`, r.personId]));
  const pairs = (key: (r: (typeof rows)[0]) => string) => {
    const counts = new Map<string, number>();
    for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    return [...counts.values()].reduce((sum, n) => sum + (n * (n - 1)) / 2, 0);
  };
  const truthKey = (r: (typeof rows)[0]) =>
    truePerson.get(`${r.source}|${r.source_key}`) ?? `unknown:${r.source}|${r.source_key}`;
  const tp = pairs((r) => `${r.person}|${truthKey(r)}`);
  const predicted = pairs((r) => r.person);
  const actual = pairs(truthKey);
  const precision = predicted ? tp / predicted : 1;
  const recall = actual ? tp / actual : 1;
  // A person of the index holding records of two true people is a false merge; count those between
  // people of one household born on one day (twins) or sharing a name a generation apart (Sr / Jr).
  const truthsPerPerson = new Map<string, Set<string>>();
  for (const r of rows) truthsPerPerson.set(r.person, (truthsPerPerson.get(r.person) ?? new Set()).add(truthKey(r)));
  const merged = [...truthsPerPerson].filter(([, s]) => s.size > 1);
  const falseMerges = merged.length;
  // BENCH_SHOW_MERGES=N prints N false merges with their records, for working on the matcher.
  for (const [person] of merged.slice(0, Number(process.env.BENCH_SHOW_MERGES ?? 0))) {
    const records = await dataSource.query(
      `select r.source, r.source_key, r.demographics, l.method, l.weight, l.explanation->>'via' as via
         from source_record r join person_link l on l.source_record_id = r.id where l.person_id = $1 order by r.id`,
      [person],
    );
    process.stderr.write(
      `false merge ${person}:\n${records.map((r: { source: string; source_key: string }) => `  ${truthKey(r as (typeof rows)[0])} ${JSON.stringify(r)}`).join('\n')}\n`,
    );
  }
  return {
    precision: round(precision, 4),
    recall: round(recall, 4),
    f1: round((2 * precision * recall) / (precision + recall), 4),
    falseMergedPersons: falseMerges,
  };
}

/**
 * Twins (two people of one household born on one day) and Sr / Jr (one name in one household, one of them
 * with a generation suffix) that the index merged into one person. The generator is deterministic, so the
 * borough is generated again to know who they are.
 */
async function hardPairs(dataSource: import('typeorm').DataSource, truth: GroundTruth) {
  const borough = generateBorough({ households, seed: 'bench-index' });
  const person = new Map(borough.people.map((p) => [p.id, p]));
  const twins: [string, string][] = [];
  const seniorJunior: [string, string][] = [];
  for (const household of borough.households) {
    const members = household.members.map((m) => person.get(m.personId)!).filter(Boolean);
    for (let i = 0; i < members.length; i++) {
      for (let j = i + 1; j < members.length; j++) {
        const [a, b] = [members[i], members[j]];
        if (a.dateOfBirth === b.dateOfBirth) twins.push([a.id, b.id]);
        else if ((a.suffix || b.suffix) && a.givenName === b.givenName && a.familyName === b.familyName)
          seniorJunior.push([a.id, b.id]);
      }
    }
  }
  const rows: { source: string; source_key: string; person: string }[] = await dataSource.query(
    'select r.source, r.source_key, l.person_id::text as person from source_record r join person_link l on l.source_record_id = r.id',
  );
  const truePerson = new Map(truth.records.map((r) => [`${r.source}|${r.sourceKey}`, r.personId]));
  const indexPersons = new Map<string, Set<string>>();
  for (const r of rows) {
    const t = truePerson.get(`${r.source}|${r.source_key}`);
    if (t) indexPersons.set(t, (indexPersons.get(t) ?? new Set()).add(r.person));
  }
  const merged = (pairs: [string, string][]) =>
    pairs.filter(([a, b]) => [...(indexPersons.get(a) ?? [])].some((p) => indexPersons.get(b)?.has(p))).length;
  const known = (pairs: [string, string][]) => pairs.filter(([a, b]) => indexPersons.has(a) && indexPersons.has(b));
  if (process.env.BENCH_SHOW_MERGES) {
    for (const [a, b] of seniorJunior.filter(([x, y]) =>
      [...(indexPersons.get(x) ?? [])].some((p) => indexPersons.get(y)?.has(p)),
    )) {
      const records = rows.filter((r) => [a, b].includes(truePerson.get(`${r.source}|${r.source_key}`) ?? ''));
      const shown = await dataSource.query(
        `select r.source, r.source_key, r.demographics, l.method, l.weight, l.explanation->>'via' as via from source_record r join person_link l on l.source_record_id = r.id
          where (r.source, r.source_key) in (select * from unnest($1::text[], $2::text[]))`,
        [records.map((r) => r.source), records.map((r) => r.source_key)],
      );
      process.stderr.write(
        `Sr / Jr merged ${a} ${b}:\n${shown.map((r: { source: string; source_key: string }) => `  ${truePerson.get(`${r.source}|${r.source_key}`)} ${JSON.stringify(r)}`).join('\n')}\n`,
      );
    }
  }
  return {
    twinsMerged: `${merged(twins)} of ${known(twins).length}`,
    seniorJuniorMerged: `${merged(seniorJunior)} of ${known(seniorJunior).length}`,
  };
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

main().catch((error: unknown) => {
  process.stderr.write(`bench:index failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
