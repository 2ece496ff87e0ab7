import { buildComparisons } from './comparisons';
import { matchConfig } from './match-config';
import { ComparisonParameters, MatchModel, probabilityOf } from './match-model';
import { prepareRecord } from './prepare';
import { TermFrequencies } from './term-frequencies';
import { IdentityFields } from '../../sources/identity-fields';

const rec = (id: string, fields: IdentityFields) => prepareRecord({ source: 't', id, fields });

/** A hand-set model: every exact level m = 0.9 / u = 0.01, every "different" level m = 0.05 / u = 0.9. */
function model(records = [rec('a', { familyName: 'Smith' })], prior = 0.001) {
  const comparisons = buildComparisons([]);
  const params: ComparisonParameters[] = comparisons.map((c) => {
    const L = c.levels.length;
    const m = Array.from({ length: L }, (_, l) =>
      l === 0 ? 0 : l === 1 ? 0.9 : l === L - 1 ? 0.05 : 0.05 / (L - 3 || 1),
    );
    const u = Array.from({ length: L }, (_, l) =>
      l === 0 ? 0 : l === 1 ? 0.01 : l === L - 1 ? 0.9 : 0.09 / (L - 3 || 1),
    );
    return { name: c.name, levels: [...c.levels], m, u };
  });
  return new MatchModel(params, prior, TermFrequencies.fromRecords(records), matchConfig(), []);
}

describe('MatchModel', () => {
  it('sums log2 Bayes factors and the prior into a weight, and turns it into a probability', () => {
    const m = model();
    const a = rec('1', { givenName: 'Ann', dateOfBirth: '1980-01-01' });
    const b = rec('2', { givenName: 'Ann', dateOfBirth: '1990-05-05' });
    const score = m.score(a, b);
    const fieldWeight = (name: string) => score.fields.find((f) => f.comparison === name)?.weight;
    expect(fieldWeight('dateOfBirth')).toBeCloseTo(Math.log2(0.05 / 0.9), 3);
    expect(fieldWeight('familyName')).toBe(0);
    expect(score.priorWeight).toBeCloseTo(Math.log2(0.001 / 0.999), 3);
    const total = score.priorWeight + score.fields.reduce((s, f) => s + f.weight, 0);
    expect(score.weight).toBeCloseTo(total, 2);
    expect(score.probability).toBeCloseTo(probabilityOf(score.weight), 3);
    expect(probabilityOf(0)).toBe(0.5);
    expect(probabilityOf(Math.log2(99))).toBeCloseTo(0.99, 10);
  });

  it('explains every comparison with its level', () => {
    const score = model().score(rec('1', { givenName: 'Bob' }), rec('2', { givenName: 'Robert' }));
    expect(score.fields.map((f) => f.comparison)).toEqual(buildComparisons([]).map((c) => c.name));
    expect(score.fields.find((f) => f.comparison === 'givenName')?.level).toBe('nickname or alias');
    expect(score.fields.find((f) => f.comparison === 'email')?.level).toBe('null');
  });

  it('lowers the weight of an exact match on a common value, never raises it for a rare one', () => {
    const records = [
      ...Array.from({ length: 60 }, (_, i) =>
        rec(`s${i}`, {
          familyName: 'Smith',
          dateOfBirth: `19${50 + (i % 40)}-01-${String(1 + (i % 28)).padStart(2, '0')}`,
        }),
      ),
      ...Array.from({ length: 40 }, (_, i) => rec(`r${i}`, { familyName: `Rare${i}` })),
    ];
    const m = model(records);
    const smith = m
      .score(rec('1', { familyName: 'Smith' }), rec('2', { familyName: 'Smith' }))
      .fields.find((f) => f.comparison === 'familyName');
    const rare = m
      .score(rec('1', { familyName: 'Rare1' }), rec('2', { familyName: 'Rare1' }))
      .fields.find((f) => f.comparison === 'familyName');
    expect(smith?.termFrequency).toBeGreaterThan(0.5);
    expect(smith?.weight).toBeLessThan(rare?.weight as number);
    expect(rare?.weight).toBeCloseTo(Math.log2(0.9 / 0.01), 3);
  });

  it('weighs a near agreement on a common name no more than the exact agreement on it', () => {
    const records = [
      ...Array.from({ length: 60 }, (_, i) =>
        rec(`s${i}`, {
          familyName: 'Smith',
          dateOfBirth: `19${50 + (i % 40)}-01-${String(1 + (i % 28)).padStart(2, '0')}`,
        }),
      ),
      ...Array.from({ length: 40 }, (_, i) => rec(`r${i}`, { familyName: `Rarename${i}` })),
    ];
    const base = model(records);
    // EM can make a near level outweigh exact (its u is tiny): here Jaro-Winkler >= 0.92 is m 0.3 / u 0.0001.
    const params = base.params.map((p) => {
      if (p.name !== 'familyName') return p;
      const k = p.levels.indexOf('jaro-winkler >= 0.92');
      return { ...p, m: p.m.map((x, l) => (l === k ? 0.3 : x)), u: p.u.map((x, l) => (l === k ? 0.0001 : x)) };
    });
    const m = new MatchModel(params, 0.001, base.tf, matchConfig(), []);
    const family = (x: string, y: string) =>
      m
        .score(rec('1', { familyName: x }), rec('2', { familyName: y }))
        .fields.find((f) => f.comparison === 'familyName');
    const exactSmith = family('Smith', 'Smith');
    const nearSmith = family('Smith', 'Smithe');
    expect(nearSmith?.level).toBe('jaro-winkler >= 0.92');
    expect(nearSmith?.weight).toBeCloseTo(exactSmith?.weight as number, 3);
    // A rare name's exact weight is not lowered, so neither is its near level's.
    const nearRare = family('Rarename1', 'Rarenamex1');
    expect(nearRare?.level).toBe('jaro-winkler >= 0.92');
    expect(nearRare?.weight).toBeCloseTo(Math.log2(0.3 / 0.0001), 3);
  });

  it('serialises to JSON and scores identically after a round trip', () => {
    const m = model();
    const restored = MatchModel.fromJSON(JSON.parse(JSON.stringify(m.toJSON())));
    const a = rec('1', { givenName: 'Jo', familyName: 'Smith', dateOfBirth: '1980-01-01', postcode: 'SW1A 2AA' });
    const b = rec('2', { givenName: 'Joanne', familyName: 'Smith', dateOfBirth: '1980-01-10', postcode: 'SW1A 2AB' });
    expect(restored.score(a, b)).toEqual(m.score(a, b));
    expect(() => MatchModel.fromJSON({ format: 'other' } as never)).toThrow('not a version 1 identity match model');
  });

  it('restores a stored model trained before a level was added, scoring such pairs as it did', () => {
    const comparisons = buildComparisons(['ssn']);
    const params: ComparisonParameters[] = comparisons.map((c) => {
      const L = c.levels.length;
      return {
        name: c.name,
        levels: [...c.levels],
        m: Array.from({ length: L }, (_, l) => (l === 0 ? 0 : l === 1 ? 0.9 : 0.1 / (L - 2))),
        u: Array.from({ length: L }, (_, l) => (l === 0 ? 0 : l === 1 ? 0.01 : 0.99 / (L - 2))),
      };
    });
    const current = new MatchModel(params, 0.001, TermFrequencies.fromRecords([]), matchConfig(), ['ssn']);
    // The stored form of a model from before the "two edits" level: its identifier had four levels.
    const json = JSON.parse(JSON.stringify(current.toJSON())) as ReturnType<MatchModel['toJSON']>;
    const ssn = json.comparisons.find((p) => p.name === 'identifier:ssn') as ComparisonParameters;
    expect(ssn.levels).toContain('two edits');
    const two = ssn.levels.indexOf('two edits');
    const old = { ...ssn, levels: ssn.levels.filter((_, l) => l !== two) };
    old.m = ssn.m.filter((_, l) => l !== two);
    old.u = ssn.u.filter((_, l) => l !== two);
    old.m[old.levels.indexOf('different')] = 0.02;
    old.u[old.levels.indexOf('different')] = 0.9;
    json.comparisons = json.comparisons.map((p) => (p.name === 'identifier:ssn' ? old : p));
    const restored = MatchModel.fromJSON(json);
    const a = rec('1', { familyName: 'Smith', identifiers: { ssn: '6623862' } });
    const twoSlips = restored.score(a, rec('2', { familyName: 'Smith', identifiers: { ssn: '6633826' } }));
    const different = restored.score(a, rec('3', { familyName: 'Smith', identifiers: { ssn: '1111111' } }));
    const field = (s: typeof twoSlips) => s.fields.find((f) => f.comparison === 'identifier:ssn');
    expect(field(twoSlips)?.level).toBe('two edits');
    // Such a pair was "different" to the stored model, and weighs what "different" weighed.
    expect(field(twoSlips)?.weight).toBeCloseTo(Math.log2(0.02 / 0.9), 3);
    expect(field(different)?.weight).toBeCloseTo(Math.log2(0.02 / 0.9), 3);
    expect(restored.toJSON().comparisons.find((p) => p.name === 'identifier:ssn')?.levels).toEqual(ssn.levels);
  });

  it('decides by the thresholds; a deterministic rule links; a hard negative never links', () => {
    const m = model();
    const person = {
      givenName: 'Ann',
      familyName: 'Lee',
      dateOfBirth: '1980-01-01',
      nhsNumber: '9434765919',
      postcode: 'SW1A 2AA',
    };
    expect(m.score(rec('1', person), rec('2', person)).decision).toBe('link');
    const deterministic = m.score(
      rec('1', { nhsNumber: '9434765919', dateOfBirth: '1980-01-01' }),
      rec('2', { nhsNumber: '9434765919', dateOfBirth: '1980-01-01', givenName: 'X' }),
    );
    expect(deterministic).toMatchObject({
      decision: 'link',
      method: 'deterministic',
      rule: 'same NHS number and date of birth',
    });
    const conflict = m.score(rec('1', { ...person, nino: 'AB123456C' }), rec('2', { ...person, nino: 'CE987654A' }));
    expect(conflict.hardNegatives).toEqual(['different NINO']);
    expect(conflict.decision).toBe('review');
    expect(m.score(rec('1', { givenName: 'Ann' }), rec('2', { givenName: 'Zed' })).decision).toBe('no-link');
  });
});
