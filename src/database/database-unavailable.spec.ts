import { GraphQLError } from 'graphql';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { formatGraphqlError, toGraphqlError } from '../graphql/graphql-errors';
import { DatabaseErrorCode, isDatabaseUnavailable } from './database-unavailable';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('isDatabaseUnavailable', () => {
  it.each([
    [
      'an administrator shutdown (fast restart)',
      pgError('57P01', 'terminating connection due to administrator command'),
    ],
    ['a server still starting up', pgError('57P03', 'the database system is starting up')],
    ['a connection exception', pgError('08006', 'connection failure')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a connection the server dropped', new Error('Connection terminated unexpectedly')],
    ['a pool that could not connect in time', new Error('timeout exceeded when trying to connect')],
    ['a transaction whose connection the server closed', new QueryRunnerAlreadyReleasedError()],
    [
      'a TypeORM query error wrapping one',
      new QueryFailedError('select 1', [], pgError('57P01', 'terminating connection due to administrator command')),
    ],
    [
      'a refused connection on every address',
      new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]),
    ],
    [
      'a non-Error value graphql-js wrapped',
      Object.assign(new Error('Unexpected error value'), { thrownValue: { errno: -111, code: 'ECONNREFUSED' } }),
    ],
    [
      'a GraphQL error around one',
      new GraphQLError('x', { originalError: pgError('57P01', 'terminating connection') }),
    ],
  ])('recognises %s', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a constraint violation', pgError('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', pgError('42601', 'syntax error at or near "x"')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['nothing', undefined],
    ['a string', 'ECONNREFUSED'],
  ])('does not mistake %s for it', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('does not loop on an error that is its own cause', () => {
    const error = new Error('x') as Error & { cause?: unknown };
    error.cause = error;
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});

describe('a GraphQL error from the database being away', () => {
  const original = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54321'), { code: 'ECONNREFUSED' });
  const raised = new GraphQLError(original.message, { originalError: original, path: ['person'] });

  it.each([true, false])('gives DATABASE_UNAVAILABLE without the driver message (production: %s)', (production) => {
    const formatted = formatGraphqlError(production)(
      {
        message: raised.message,
        path: ['person'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] },
      },
      raised,
    );
    expect(formatted).toEqual({
      message: expect.stringMatching(/database is unavailable/),
      path: ['person'],
      extensions: { code: DatabaseErrorCode.DATABASE_UNAVAILABLE },
    });
    expect(JSON.stringify(formatted)).not.toMatch(/54321|127\.0\.0\.1|ECONNREFUSED/);
  });

  it('leaves a domain code alone even when the database is behind it', () => {
    const audit = new GraphQLError('The audit trail could not record this request', {
      originalError: original,
      extensions: { code: 'AUDIT_UNAVAILABLE', domain: true },
    });
    expect(
      formatGraphqlError(true)({ message: audit.message, extensions: { code: 'AUDIT_UNAVAILABLE' } }, audit).extensions
        ?.code,
    ).toBe('AUDIT_UNAVAILABLE');
  });

  it('is made by plugins too', () => {
    expect(toGraphqlError(original).extensions).toEqual({ code: DatabaseErrorCode.DATABASE_UNAVAILABLE, domain: true });
    expect(toGraphqlError(new Error('a bug')).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });
});
