import { DateFormat } from './date-format';

describe('DateFormat', () => {
  it.each([
    ['yyyy-MM-dd', '1971-06-24', '1971-06-24'],
    ['yyyyMMdd', '19081209', '1908-12-09'],
    ['dd/MM/yyyy', '24/06/1971', '1971-06-24'],
    ['M/d/yyyy', '6/4/1971', '1971-06-04'],
    ['yyyy-MM-dd', '1971-06-24 00:00:00', '1971-06-24'],
  ])('%s reads %s as %s', (format, value, iso) => {
    expect(new DateFormat(format).parse(value)).toBe(iso);
  });

  it('rejects values that do not fit or are not real dates', () => {
    expect(new DateFormat('yyyyMMdd').parse('19710231')).toBeNull();
    expect(new DateFormat('dd/MM/yyyy').parse('1971-06-24')).toBeNull();
    expect(new DateFormat('yyyy-MM-dd').parse('1971-13-01')).toBeNull();
  });

  it('puts two-digit years in the latest century that is not in the future', () => {
    const today = new Date(Date.UTC(2025, 5, 1));
    expect(new DateFormat('dd/MM/yy').parse('01/01/24', today)).toBe('2024-01-01');
    expect(new DateFormat('dd/MM/yy').parse('01/01/30', today)).toBe('1930-01-01');
  });

  it('refuses formats without one year, month and day or with unknown letters', () => {
    expect(() => new DateFormat('yyyy-MM')).toThrow('must contain one year');
    expect(() => new DateFormat('yyyy-MM-dd HH')).toThrow('unknown letter "H"');
  });
});
