import { KeyTable } from './key-table';

describe('KeyTable', () => {
  it('numbers keys in the order first seen, as a Map of the joined keys would, through many growths', () => {
    const table = new KeyTable(2, 4);
    const map = new Map<string, number>();
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const word = () =>
      ['', 'a', 'ab', 'b', 'ba', 'é', 'abc', 'x y'][Math.floor(random() * 8)] + Math.floor(random() * 300);
    for (let n = 0; n < 20_000; n++) {
      const key = [word(), word()];
      const joined = key.join('\u0000');
      if (!map.has(joined)) map.set(joined, map.size);
      expect(table.id(key)).toBe(map.get(joined));
    }
    expect(table.size).toBe(map.size);
    expect(table.size).toBeGreaterThan(1_000);
  });

  it('tells apart keys whose values join to the same string, and empty values', () => {
    const table = new KeyTable(2);
    const ids = [
      ['a', 'bc'],
      ['ab', 'c'],
      ['abc', ''],
      ['', 'abc'],
      ['', ''],
    ].map((key) => table.id(key));
    expect(new Set(ids).size).toBe(5);
    expect(table.id(['ab', 'c'])).toBe(ids[1]);
    expect(table.id(['', ''])).toBe(ids[4]);
  });
});
