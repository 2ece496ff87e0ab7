import { AuditException } from '../audit.exception';
import { activityWindow, dayList } from './audit-activity.service';
import { robustZ, median } from './audit-anomaly.service';
import { safeCell } from './audit-export';
import { decodeCursor, encodeCursor, filterCondition, pageSize } from './audit-filter';
import { addCalendarMonth } from './subject-access.service';

describe('DPO helpers', () => {
  it('scores a heavy user far above peers, and nobody when all are alike', () => {
    const peers = [2, 3, 2, 4, 3, 40];
    expect(median(peers)).toBe(3);
    expect(robustZ(40, peers)!).toBeGreaterThan(3.5);
    expect(robustZ(4, peers)!).toBeLessThan(3.5);
    expect(robustZ(5, [5, 5, 5, 5])).toBeNull();
    expect(robustZ(30, [2, 2, 2, 2, 2, 30])!).toBeGreaterThan(3.5);
  });

  it('builds parameterised conditions and refuses nonsense', () => {
    const params: unknown[] = [];
    expect(filterCondition({ personId: "x' or 1=1 --", operation: 'person.', decision: 'deny' }, params)).toBe(
      'persons @> array[$1]::text[] and decision = $2 and starts_with(operation, $3)',
    );
    expect(params).toEqual(["x' or 1=1 --", 'deny', 'person.']);
    expect(() => filterCondition({ operation: 'DROP TABLE' }, [])).toThrow(AuditException);
    expect(() => filterCondition({ from: new Date('2025-02-01'), to: new Date('2025-01-01') }, [])).toThrow(/from/);
    expect(() => filterCondition({ from: new Date('nonsense') }, [])).toThrow(/date-time/);
  });

  it('round-trips cursors and refuses forged ones and bad page sizes', () => {
    expect(decodeCursor(encodeCursor(12345))).toBe(12345);
    expect(() => decodeCursor('bm9wZQ')).toThrow(/cursor/);
    expect(pageSize(undefined)).toBe(50);
    expect(() => pageSize(501)).toThrow(/first/);
  });

  it('defuses spreadsheet formulas in CSV cells', () => {
    expect(safeCell('=HYPERLINK("x")')).toBe(`'=HYPERLINK("x")`);
    expect(safeCell('+44 113')).toBe(`'+44 113`);
    expect(safeCell('person.view')).toBe('person.view');
  });

  it('gives a subject access request one calendar month', () => {
    expect(addCalendarMonth(new Date('2025-03-15T00:00:00Z')).toISOString()).toBe('2025-04-15T00:00:00.000Z');
    expect(addCalendarMonth(new Date('2025-01-31T00:00:00Z')).toISOString()).toBe('2025-02-28T00:00:00.000Z');
    expect(addCalendarMonth(new Date('2024-12-31T00:00:00Z')).toISOString()).toBe('2025-01-31T00:00:00.000Z');
  });

  it('takes the activity window as whole UTC days ending today, or from and to, and refuses the rest', () => {
    const now = new Date('2026-12-07T23:30:00-02:00'); // 01:30 UTC on the 8th
    expect(activityWindow({ days: 7 }, now)).toEqual({
      from: new Date('2026-12-02T00:00:00Z'),
      to: new Date('2026-12-09T00:00:00Z'),
    });
    const { from, to } = activityWindow({}, now);
    expect(dayList(from, to)).toHaveLength(30);
    expect(dayList(from, to).at(-1)).toBe('2026-12-08');
    const given = activityWindow({ from: new Date('2026-02-27T12:00:00Z'), to: new Date('2026-03-01T00:00:01Z') }, now);
    expect(dayList(given.from, given.to)).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(activityWindow({ days: 366 }, now).from).toEqual(new Date('2025-12-08T00:00:00Z'));
    for (const bad of [
      { days: 0 },
      { days: 367 },
      { days: 2.5 },
      { days: 7, from: new Date('2026-12-01T00:00:00Z'), to: new Date('2026-12-02T00:00:00Z') },
      { from: new Date('2026-12-01T00:00:00Z') },
      { from: new Date('2026-12-02T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z') },
      { from: new Date('2025-01-01T00:00:00Z'), to: new Date('2026-01-02T00:00:01Z') },
      { from: new Date('nonsense'), to: new Date('2026-12-01T00:00:00Z') },
    ]) {
      let thrown: unknown;
      try {
        activityWindow(bad, now);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AuditException);
      expect((thrown as AuditException).code).toBe('AUDIT_BAD_REQUEST');
    }
  });
});
