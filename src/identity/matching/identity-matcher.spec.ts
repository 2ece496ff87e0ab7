import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SyntheticPopulation, writeSyntheticPopulation } from '../../../bench/match-synthetic';
import { readInputs } from '../cli/csv-input';
import { readMapping, RowMapper } from '../cli/csv-mapping';
import { pairwiseScores } from '../cli/link-pipeline';
import { IdentityMatcher } from './identity-matcher';
import { MatchRecord } from './types';

const mapping = join(__dirname, '..', '..', '..', 'bench', 'mappings', 'synthetic.json');

describe('IdentityMatcher on a synthetic borough', () => {
  let dir: string;
  let records: MatchRecord[];
  let truth: string[];
  let population: SyntheticPopulation;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'matcher-spec-'));
    const file = join(dir, 'borough.csv');
    population = await writeSyntheticPopulation({ records: 4000, seed: 11, out: file });
    const batch = await readInputs([file], new RowMapper(readMapping(mapping), mapping), { truthColumn: 'person_id' });
    records = batch.records;
    truth = batch.truth;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains without labels and links with high precision, keeping twins and Sr / Jr apart', () => {
    const { matcher, index, records: prepared } = IdentityMatcher.trainWithIndex(records);
    const result = matcher.link(prepared, index);
    const scores = pairwiseScores(truth, result.clusterOf);
    expect(scores.precision).toBeGreaterThan(0.98);
    expect(scores.recall).toBeGreaterThan(0.9);
    const clustersOf = new Map<string, Set<number>>();
    truth.forEach((person, i) =>
      clustersOf.set(person, (clustersOf.get(person) ?? new Set()).add(result.clusterOf[i])),
    );
    const merged = population.mustStayApart.filter(({ a, b }) => {
      const ca = clustersOf.get(String(a));
      const cb = clustersOf.get(String(b));
      return ca && cb && [...ca].some((c) => cb.has(c));
    });
    expect(population.mustStayApart.length).toBeGreaterThan(20);
    expect(merged).toEqual([]);
    expect(matcher.training?.prior).toBeGreaterThan(0);
    expect(matcher.training?.neutral).not.toContain('dateOfBirth');
  });

  it('serialises, restores and scores pairs and candidates as before', () => {
    const matcher = IdentityMatcher.train(records);
    const restored = IdentityMatcher.fromJSON(JSON.parse(JSON.stringify(matcher.toJSON())));
    const pair = truth.findIndex((t, i) => i > 0 && t === truth[i - 1]);
    const a = records[pair - 1];
    const b = records[pair];
    const original = matcher.scorePair(a, b);
    const again = restored.scorePair(a, b);
    expect(again.decision).toBe(original.decision);
    expect(again.weight).toBeCloseTo(original.weight, 0);
    expect(original.fields.length).toBeGreaterThan(5);

    const prepared = records.map((r, i) => restored.prepare(r, i));
    const index = restored.index(prepared);
    const outsider = restored.prepare({ ...a, id: 'new' });
    expect(restored.candidatesFor(outsider, index)).toContain(pair - 1);
    expect(restored.blockingKeys(a).map((k) => k.rule)).toContain('name-metaphones');
  });
});
