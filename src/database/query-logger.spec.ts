import { Logger } from '@nestjs/common';
import { failureCode, QueryLogger } from './query-logger';

describe('QueryLogger', () => {
  it('logs a failed query without its parameters', () => {
    const errors: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void errors.push(String(message)));
    const logger = new QueryLogger();
    (logger.logQueryError as (e: Error, q: string, p: unknown[]) => void)(
      new Error('boom'),
      'insert into x (a) values ($1)',
      ['AB123456C'],
    );
    spy.mockRestore();
    expect(errors).toEqual(['query failed: boom [insert into x (a) values ($1)]']);
    expect(errors.join()).not.toContain('AB123456C');
  });

  it("leaves out the values PostgreSQL quotes in its own messages, keeping the error's code", () => {
    const errors: string[] = [];
    const spy = jest
      .spyOn(Logger.prototype, 'error')
      .mockImplementation((message: unknown) => void errors.push(String(message)));
    const failure = Object.assign(new Error('invalid input syntax for type uuid: "AB123456C"'), { code: '22P02' });
    new QueryLogger().logQueryError(failure, 'select $1::uuid');
    spy.mockRestore();
    expect(errors).toEqual([
      'query failed: invalid input syntax for type uuid: "…" (SQLSTATE 22P02) [select $1::uuid]',
    ]);
  });
});

describe('failureCode', () => {
  it('names the kind of failure without any of its text', () => {
    expect(
      failureCode(
        Object.assign(new Error('database "hub_x" is not currently accepting connections'), { code: '55000' }),
      ),
    ).toBe('SQLSTATE 55000');
    expect(failureCode(Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED' }))).toBe(
      'ECONNREFUSED',
    );
    expect(failureCode(new TypeError('x is not a function'))).toBe('TypeError');
    expect(failureCode(Object.assign(new Error('odd'), { code: 'some free text' }))).toBe('Error');
    expect(failureCode('a string')).toBe('unknown');
  });
});
