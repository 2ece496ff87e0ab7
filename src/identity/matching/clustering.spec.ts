import { clusterLinks, LinkEdge, PairJudgement } from './clustering';
import { HardNegative } from './match-rules';

/**
 * A judge from a table of pair weights (default strongly negative) and hard negatives. The evidence
 * against a match is the weight when negative, else 0, unless `against` says otherwise.
 */
function judge(
  weights: Record<string, number>,
  negatives: Record<string, HardNegative> = {},
  against: Record<string, number> = {},
) {
  return (a: number, b: number): PairJudgement => {
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    const negative = negatives[key];
    const weight = weights[key] ?? -20;
    return {
      weight,
      hardNegative: !!negative,
      hardNegatives: negative ? [negative] : [],
      against: against[key] ?? Math.min(0, weight),
    };
  };
}

const edge = (a: number, b: number, weight: number): LinkEdge => ({ a, b, weight, deterministic: false });
const options = { minMeanWeight: 0, maxCrossPairs: 100, holds: () => true };

describe('clustering auto-links', () => {
  it('joins records linked directly and through strong pairs', () => {
    const weights = { '0-1': 20, '1-2': 18, '0-2': 12 };
    const result = clusterLinks(4, [edge(0, 1, 20), edge(1, 2, 18)], judge(weights), options);
    expect(Array.from(result.clusterOf)).toEqual([0, 0, 0, 1]);
    expect(result.clusterCount).toBe(2);
  });

  it('does not chain two people through a weak middle record', () => {
    // 0-1 and 1-2 are auto-links, but 0 and 2 are clearly different people.
    const weights = { '0-1': 12, '1-2': 11, '0-2': -30 };
    const result = clusterLinks(3, [edge(0, 1, 12), edge(1, 2, 11)], judge(weights), options);
    expect(result.clusterOf[0]).toBe(result.clusterOf[1]);
    expect(result.clusterOf[2]).not.toBe(result.clusterOf[0]);
    expect(result.rejected).toEqual([{ a: 1, b: 2, weight: 11, reason: 'weak support across clusters' }]);
  });

  it('never puts a hard-negative pair in one cluster (twins, Sr / Jr)', () => {
    const weights = { '0-1': 25, '1-2': 25, '0-2': 25 };
    const result = clusterLinks(
      3,
      [edge(0, 1, 25), edge(1, 2, 24)],
      judge(weights, { '0-2': 'twins: same date of birth, different given names' }),
      options,
    );
    expect(result.clusterOf[0]).not.toBe(result.clusterOf[2]);
    expect(result.rejected.map((r) => r.reason)).toContain('hard negative in cluster');
  });

  it('sends a record to review when it links to two different people and lacks the field that separates them', () => {
    // Record 1 has no date of birth; 0 and 2 are a father and son of the same name.
    const weights = { '0-1': 15, '1-2': 15, '0-2': 10 };
    const negatives = { '0-2': 'namesakes at one home: dates of birth differ' as HardNegative };
    const lacksDob = {
      ...options,
      holds: (record: number, n: HardNegative) => !(record === 1 && n.startsWith('namesakes')),
    };
    const result = clusterLinks(3, [edge(0, 1, 15), edge(1, 2, 15)], judge(weights, negatives), lacksDob);
    expect(new Set(result.clusterOf).size).toBe(3);
    expect(result.rejected.every((r) => r.reason === 'ambiguous: links to two different people')).toBe(true);
    // With the date of birth, the record is not ambiguous: it links (to one of them at most).
    const resolved = clusterLinks(3, [edge(0, 1, 15), edge(1, 2, 15)], judge(weights, negatives), options);
    expect(resolved.clusterOf[0] === resolved.clusterOf[2]).toBe(false);
    expect(resolved.clusterOf[1] === resolved.clusterOf[0] || resolved.clusterOf[1] === resolved.clusterOf[2]).toBe(
      true,
    );
  });

  it('settles a lone record whose review-band pairs all lead into one group, and no other', () => {
    // 0-1 are one person's records (an auto-link); 2 is a sparse record (a name only) in the review band
    // with both; 3 and 4 are another group, 5 a lone record in the band with 0 and with 3.
    const weights = { '0-1': 20, '0-2': 2, '1-2': 2, '3-4': 20, '0-5': 2, '3-5': 2, '4-5': 1 };
    const band = [
      { a: 0, b: 2, weight: 2, household: false },
      { a: 1, b: 2, weight: 2, household: false },
      { a: 0, b: 5, weight: 2, household: false },
      { a: 3, b: 5, weight: 2, household: false },
      { a: 4, b: 5, weight: 1, household: false },
    ];
    const result = clusterLinks(6, [edge(0, 1, 20), edge(3, 4, 20)], judge(weights), { ...options, band });
    expect(result.clusterOf[2]).toBe(result.clusterOf[0]);
    // Two groups within the band: no choice by elimination.
    expect(result.clusterOf[5]).not.toBe(result.clusterOf[0]);
    expect(result.clusterOf[5]).not.toBe(result.clusterOf[3]);
    expect(result.clusterCount).toBe(3);
    // Without the band pairs nothing is attached.
    expect(clusterLinks(6, [edge(0, 1, 20), edge(3, 4, 20)], judge(weights), options).clusterCount).toBe(4);
  });

  it('never settles a lone record by elimination on household evidence, nor two lone records together', () => {
    const weights = { '0-1': 20, '0-2': 2, '1-2': 2, '3-4': 2 };
    const household = [
      { a: 0, b: 2, weight: 2, household: true },
      { a: 1, b: 2, weight: 2, household: false },
      { a: 3, b: 4, weight: 2, household: false },
    ];
    const result = clusterLinks(5, [edge(0, 1, 20)], judge(weights), { ...options, band: household });
    expect(new Set(result.clusterOf).size).toBe(4);
    // A group that the mean does not support (one cross pair strongly against) is not joined either.
    const against = { '0-1': 20, '0-2': 2, '1-2': -30 };
    const band = [{ a: 0, b: 2, weight: 2, household: false }];
    const refused = clusterLinks(3, [edge(0, 1, 20)], judge(against), { ...options, band });
    expect(refused.clusterOf[2]).not.toBe(refused.clusterOf[0]);
    // A full record of a namesake (date of birth and address differ) is in the band through its name and
    // email, but its fields contradict the group: not a sparse record, not settled.
    const namesake = clusterLinks(3, [edge(0, 1, 20)], judge(weights, {}, { '0-2': -6.5, '1-2': -6.5 }), {
      ...options,
      band: [
        { a: 0, b: 2, weight: 2, household: false },
        { a: 1, b: 2, weight: 2, household: false },
      ],
    });
    expect(namesake.clusterOf[2]).not.toBe(namesake.clusterOf[0]);
  });

  it("settles two lone records that are each other's only alternative, with nothing against them", () => {
    // 0 and 1 (a name only, and a full record of that name) are in the band with each other and no one
    // else; 2 and 3 likewise, but 4 is in the band with 3 too; 5 and 6 are, but a field they both hold
    // differs (weighing only a bit against: enough to keep two lone records apart).
    const weights = { '0-1': 2, '2-3': 2, '3-4': 1.5, '5-6': 2 };
    const band = [
      { a: 0, b: 1, weight: 2, household: false },
      { a: 2, b: 3, weight: 2, household: false },
      { a: 3, b: 4, weight: 1.5, household: false },
      { a: 5, b: 6, weight: 2, household: false },
    ];
    const lone = clusterLinks(7, [], judge(weights, {}, { '5-6': -1 }), { ...options, band, lonePairs: true });
    expect(lone.clusterOf[1]).toBe(lone.clusterOf[0]);
    expect(new Set([lone.clusterOf[2], lone.clusterOf[3], lone.clusterOf[4]]).size).toBe(3);
    expect(lone.clusterOf[6]).not.toBe(lone.clusterOf[5]);
    expect(lone.clusterCount).toBe(6);
    // A household pair is never settled so.
    const household = band.map((p) => ({ ...p, household: true }));
    expect(clusterLinks(7, [], judge(weights), { ...options, band: household, lonePairs: true }).clusterCount).toBe(7);
    // Off by default in clusterLinks (the matcher's configuration turns it on).
    expect(clusterLinks(7, [], judge(weights), { ...options, band }).clusterCount).toBe(7);
  });

  it("settles a lone record into a group whose only records it contradicts are the group's odd ones out", () => {
    // 0, 1 and 2 are one person's records; 2's family name was replaced, so it contradicts 0 and 1 (its
    // link holds on the rest). 3 is a name-only record: in the band with 0 and 1, contradicting 2.
    const weights = { '0-1': 30, '0-2': 14, '1-2': 14, '0-3': 2, '1-3': 2, '2-3': -8 };
    const against = { '0-2': -4, '1-2': -4, '2-3': -4 };
    const band = [
      { a: 0, b: 3, weight: 2, household: false },
      { a: 1, b: 3, weight: 2, household: false },
    ];
    const edges = [edge(0, 1, 30), edge(0, 2, 14), edge(1, 2, 14)];
    const settled = clusterLinks(4, edges, judge(weights, {}, against), { ...options, band, outliers: true });
    expect(new Set(settled.clusterOf).size).toBe(1);
    expect(clusterLinks(4, edges, judge(weights, {}, against), { ...options, band }).clusterCount).toBe(2);
    // When the record contradicts a member that agrees with the rest, it is the record that is at odds.
    const agreeing = { '0-2': 0, '1-2': 0, '2-3': -4 };
    const apart = clusterLinks(4, edges, judge(weights, {}, agreeing), { ...options, band, outliers: true });
    expect(apart.clusterOf[3]).not.toBe(apart.clusterOf[0]);
    // Nor when it contradicts as many members as it agrees with.
    const half = { '0-2': -4, '1-2': -4, '2-3': -4, '1-3': -4 };
    const split = clusterLinks(4, edges, judge(weights, {}, half), { ...options, band, outliers: true });
    expect(split.clusterOf[3]).not.toBe(split.clusterOf[0]);
  });

  it('applies deterministic links first', () => {
    const weights = { '0-1': 5, '1-2': 30, '0-2': -40 };
    const result = clusterLinks(
      3,
      [edge(1, 2, 30), { a: 0, b: 1, weight: 5, deterministic: true }],
      judge(weights),
      options,
    );
    expect(result.clusterOf[0]).toBe(result.clusterOf[1]);
    expect(result.clusterOf[2]).not.toBe(result.clusterOf[1]);
  });
});
