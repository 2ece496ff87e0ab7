import { estimateHousehold, HouseholdCounts, HouseholdView, householdPattern } from './household';

const view = (v: Partial<HouseholdView>): HouseholdView => ({
  family: true,
  home: true,
  given: 'agree',
  dob: 'agree',
  ...v,
});
const options = { twins: true, generations: true };

/** Adds `n` pairs of one view. */
function add(counts: HouseholdCounts, v: HouseholdView, n: number): void {
  for (let i = 0; i < n; i++) counts.add(v);
}

describe('household evidence', () => {
  it('names the pattern of a pair: twins at one home or elsewhere in one family, the rest at one home', () => {
    expect(householdPattern(view({ given: 'beyond typo' }), options)).toBe(
      'twins at one home: same date of birth, different given names',
    );
    expect(householdPattern(view({ given: 'beyond typo', home: false }), options)).toBe(
      'twins: same date of birth, different given names',
    );
    expect(householdPattern(view({ dob: 'generation' }), options)).toBe('namesakes at one home: dates of birth differ');
    expect(householdPattern(view({ dob: 'differ', home: false }), options)).toBeNull();
    expect(householdPattern(view({}), options)).toBeNull();
    expect(householdPattern(null, options)).toBeNull();
    expect(householdPattern(view({ given: 'beyond typo' }), { twins: false, generations: true })).toBeNull();
  });

  it('finds no twins or namesakes in data without households: a pair in a pattern there is one person with an error', () => {
    // FEBRL-like: duplicates only; given names and dates of birth disagree at the model's error rates.
    const counts = new HouseholdCounts();
    add(counts, view({}), 1000);
    add(counts, view({ given: 'beyond typo' }), 60);
    add(counts, view({ dob: 'differ' }), 50);
    add(counts, view({ given: 'beyond typo', dob: 'differ' }), 3);
    expect(counts.householdsPresent()).toBe(false);
    const model = estimateHousehold(counts, { givenBeyond: 0.05, dobDiffer: 0.05 });
    for (const stratum of Object.values(model)) expect(stratum?.twoPeople).toBe(0);
    // As surely as the pairs seen show it: 60 twins-like pairs, all errors, are odds of 121 : 1.
    expect(model['twins: same date of birth, different given names']?.logOdds).toBeCloseTo(Math.log2(121), 2);
    expect(model['namesakes at one home: dates of birth differ']?.logOdds).toBeCloseTo(Math.log2(101), 2);
  });

  it('does not let a few pairs vouch for a pattern: twins in small data without households stay below a link', () => {
    // A few hundred records of people living alone, and one pair of twins held twice each (four pairs).
    const counts = new HouseholdCounts();
    add(counts, view({}), 200);
    add(counts, view({ given: 'beyond typo' }), 4);
    expect(counts.householdsPresent()).toBe(false);
    const model = estimateHousehold(counts, { givenBeyond: 0.03, dobDiffer: 0.03 });
    const autoLink = Math.log2(0.95 / 0.05);
    expect(model['twins at one home: same date of birth, different given names']?.logOdds).toBeLessThan(autoLink);
    // Given names that differ with a date of birth missing at one home: twins or another relative.
    expect(model['at one home: given names differ, a date of birth missing']?.logOdds).toBeLessThan(autoLink);
    expect(householdPattern(view({ given: 'beyond typo', dob: 'missing' }), options)).toBe(
      'at one home: given names differ, a date of birth missing',
    );
    // A date of birth missing among 200 agreeing pairs: the data vouches for it.
    expect(model['at one home: a date of birth missing']?.logOdds).toBeGreaterThan(autoLink);
  });

  it('estimates twins and namesakes from their excess over the error rates where households are', () => {
    const counts = new HouseholdCounts();
    add(counts, view({}), 1000);
    add(counts, view({ given: 'beyond typo' }), 60 + 200); // 53 expected matches, the rest twins
    add(counts, view({ dob: 'differ' }), 50 + 100); // 53 expected matches, the rest namesakes
    add(counts, view({ given: 'beyond typo', dob: 'differ' }), 3000); // spouses, parents, children
    expect(counts.householdsPresent()).toBe(true);
    const model = estimateHousehold(counts, { givenBeyond: 0.05, dobDiffer: 0.05 });
    const twins = model['twins: same date of birth, different given names'];
    expect(twins?.twoPeople).toBeCloseTo(260 - 1000 * (0.05 / 0.95), 3);
    expect(twins?.logOdds).toBeLessThan(0);
    expect(model['namesakes at one home: dates of birth differ']?.logOdds).toBeLessThan(1);
    // A missing date of birth hides a namesake among many matches: positive but modest odds.
    const missing = model['at one home: a date of birth missing'];
    expect(missing?.logOdds).toBeGreaterThan(0);
    expect(missing?.logOdds).toBeLessThan(Math.log2(1150 / 50));
    expect(model['at one home: no given name or date of birth to compare']?.logOdds).toBeLessThan(0);
  });
});
