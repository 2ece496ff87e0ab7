import { AuditException } from '../audit.exception';
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
});
