/**
 * Parses dates written in a declared format: tokens yyyy, yy, MM, M, dd, d; anything else is a literal.
 * A trailing time ("1971-06-24 00:00:00", "...T00:00Z") is ignored. A two-digit year takes the latest
 * century that does not put the date in the future (dates of birth are in the past).
 */
export class DateFormat {
  private readonly regex: RegExp;
  private readonly order: ('y' | 'yy' | 'M' | 'd')[] = [];

  constructor(readonly format: string) {
    let pattern = '';
    let i = 0;
    while (i < format.length) {
      const rest = format.slice(i);
      const token = ['yyyy', 'yy', 'MM', 'M', 'dd', 'd'].find((t) => rest.startsWith(t));
      if (token) {
        pattern +=
          token === 'yyyy'
            ? '(\\d{4})'
            : token === 'MM' || token === 'dd' || token === 'yy'
              ? '(\\d{2})'
              : '(\\d{1,2})';
        this.order.push(token === 'yyyy' ? 'y' : token === 'yy' ? 'yy' : (token[0] as 'M' | 'd'));
        i += token.length;
      } else {
        if (/[a-zA-Z]/.test(format[i]))
          throw new Error(`date format "${format}" has an unknown letter "${format[i]}" (use yyyy, yy, MM, M, dd, d)`);
        pattern += format[i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        i++;
      }
    }
    const years = this.order.filter((t) => t === 'y' || t === 'yy').length;
    if (
      years !== 1 ||
      this.order.filter((t) => t === 'M').length !== 1 ||
      this.order.filter((t) => t === 'd').length !== 1
    ) {
      throw new Error(
        `date format "${format}" must contain one year (yyyy or yy), one month (MM or M) and one day (dd or d)`,
      );
    }
    this.regex = new RegExp(`^${pattern}(?:[T ].*)?$`);
  }

  /** ISO yyyy-mm-dd, or null when the value does not fit the format or is not a real date. */
  parse(value: string, today = new Date()): string | null {
    const match = this.regex.exec(value);
    if (!match) return null;
    let y = 0;
    let m = 0;
    let d = 0;
    let twoDigitYear = false;
    this.order.forEach((t, k) => {
      const n = Number(match[k + 1]);
      if (t === 'y') y = n;
      else if (t === 'yy') {
        y = n;
        twoDigitYear = true;
      } else if (t === 'M') m = n;
      else d = n;
    });
    if (twoDigitYear) {
      const century = Math.floor(today.getUTCFullYear() / 100) * 100;
      y += century;
      if (Date.UTC(y, m - 1, d) > today.getTime()) y -= 100;
    }
    if (m < 1 || m > 12 || d < 1 || y < 1) return null;
    if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) return null;
    return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  }
}
