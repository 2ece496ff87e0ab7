import { jaro, jaroWinkler } from './jaro-winkler';

describe('Jaro and Jaro-Winkler', () => {
  // Reference values from Winkler (1990) and the standard worked examples.
  it.each([
    ['martha', 'marhta', 0.944, 0.961],
    ['dwayne', 'duane', 0.822, 0.84],
    ['dixon', 'dicksonx', 0.767, 0.813],
    ['jellyfish', 'smellyfish', 0.896, 0.896],
  ])('%s / %s: Jaro %d, Jaro-Winkler %d', (a, b, j, jw) => {
    expect(jaro(a, b)).toBeCloseTo(j, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
    expect(jaroWinkler(b, a)).toBeCloseTo(jw, 3);
  });

  it('is 1 for equal strings and 0 when nothing matches or a side is empty', () => {
    expect(jaroWinkler('smith', 'smith')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('', 'abc')).toBe(0);
  });

  it('with a floor, gives the exact value when it can be reached and something below it otherwise', () => {
    expect(jaroWinkler('martha', 'marhta', 0.9)).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('smith', 'jones', 0.8)).toBeLessThan(0.8);
    expect(jaroWinkler('catherine', 'katherine', 0.8)).toBeCloseTo(jaroWinkler('catherine', 'katherine'), 10);
  });
});
