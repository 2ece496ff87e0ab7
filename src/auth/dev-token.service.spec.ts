import { parseTtl } from './dev-token.service';

describe('parseTtl', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['30m', 1800],
    ['8h', 28_800],
    ['1d', 86_400],
  ])('%s is %i seconds', (text, seconds) => expect(parseTtl(text)).toBe(seconds));

  it.each(['0', '2d', '25h', '-5m', '1w', 'soon', ''])('refuses %p', (text) =>
    expect(() => parseTtl(text)).toThrow(RangeError),
  );
});
