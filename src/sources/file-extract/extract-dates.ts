/**
 * Dates as extracts write them. A format is made of `dd`, `d`, `MM`, `M`, `yyyy` and separators (`/`, `-`,
 * `.`, space), e.g. `dd/MM/yyyy`; `yyyyMMdd` (no separators) is read too. A value is read with the first
 * format it fits and that makes a real calendar date.
 */
const tokenPattern = /yyyy|dd|MM|d|M|[-/. ]/g;

const compiled = new Map<string, RegExp>();

function compile(format: string): RegExp {
  let regex = compiled.get(format);
  if (regex) return regex;
  const source = (format.match(tokenPattern) ?? [])
    .map((token) => {
      switch (token) {
        case 'yyyy':
          return '(?<y>\\d{4})';
        case 'dd':
          return '(?<d>\\d{2})';
        case 'd':
          return '(?<d>\\d{1,2})';
        case 'MM':
          return '(?<m>\\d{2})';
        case 'M':
          return '(?<m>\\d{1,2})';
        default:
          return `\\${token}`;
      }
    })
    .join('');
  regex = new RegExp(`^${source}$`);
  compiled.set(format, regex);
  return regex;
}

/** Whether every part of the format is one this reader knows, with a day, a month and a year once each. */
export function isKnownDateFormat(format: string): boolean {
  const tokens = format.match(tokenPattern) ?? [];
  if (tokens.join('') !== format) return false;
  const count = (names: string[]) => tokens.filter((t) => names.includes(t)).length;
  return count(['yyyy']) === 1 && count(['dd', 'd']) === 1 && count(['MM', 'M']) === 1;
}

/** ISO `yyyy-mm-dd` of `value` read with the first of `formats` it fits, or undefined when none does. */
export function parseExtractDate(value: string, formats: readonly string[]): string | undefined {
  const text = value.trim();
  for (const format of formats) {
    const match = compile(format).exec(text);
    if (!match?.groups) continue;
    const year = Number(match.groups.y);
    const month = Number(match.groups.m);
    const day = Number(match.groups.d);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) continue;
    return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  }
  return undefined;
}
