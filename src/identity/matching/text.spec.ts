import { bagDistance, damerauLevenshtein, sameLetters, withinTypoDistance } from './text';

describe('typing distance', () => {
  it('counts insertions, deletions, substitutions and adjacent swaps as one edit each', () => {
    expect(damerauLevenshtein('kai', 'kia')).toBe(1);
    expect(damerauLevenshtein('amy', 'any')).toBe(1);
    expect(damerauLevenshtein('esme', 'eems')).toBe(2);
    expect(damerauLevenshtein('caitlin', 'caigtlin')).toBe(1);
    expect(damerauLevenshtein('', 'abc')).toBe(3);
    expect(damerauLevenshtein('abc', 'abc')).toBe(0);
    // Stops early past the bound.
    expect(damerauLevenshtein('alexander', 'zoe', 2)).toBe(3);
  });

  it('takes one slip (two on long names) or the same letters in another order as a typo', () => {
    expect(sameLetters('esme', 'eems')).toBe(true);
    expect(sameLetters('emma', 'esme')).toBe(false);
    expect(bagDistance('esme', 'eems')).toBe(0);
    expect(bagDistance('alexander', 'zoe')).toBe(8);
    expect(withinTypoDistance('kai', 'kia')).toBe(true);
    expect(withinTypoDistance('esme', 'eems')).toBe(true);
    expect(withinTypoDistance('caitlin', 'eaitlim')).toBe(true);
    expect(withinTypoDistance('esme', 'emma')).toBe(false);
    expect(withinTypoDistance('grace', 'bruce')).toBe(false);
    expect(withinTypoDistance('oliver', 'olivia')).toBe(false);
    expect(withinTypoDistance('j', 'jo')).toBe(false);
    // Anagrams that begin with another letter are other names (twins Leon and Noel, Mira and Rima).
    expect(withinTypoDistance('leon', 'noel')).toBe(false);
    expect(withinTypoDistance('mira', 'rima')).toBe(false);
    expect(withinTypoDistance('kai', 'kia')).toBe(true);
  });
});
