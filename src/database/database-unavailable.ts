import { HubException } from '../common/hub-exception';

export enum DatabaseErrorCode {
  /** The database could not be reached or dropped the connection (restart, failover, network): retry shortly. */
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
}

/**
 * A request that failed because the database was away, not because of anything in the request. Clients
 * get this code and a fixed message (never the driver's, which names the host, port or role); nothing of
 * the request was released or half-written (each change commits with its audit event, or not at all).
 */
export class DatabaseUnavailableException extends HubException<DatabaseErrorCode> {
  readonly httpStatus = 503;

  constructor() {
    super(
      DatabaseErrorCode.DATABASE_UNAVAILABLE,
      'The database is unavailable; nothing was released or changed. Try again shortly',
    );
  }
}

/**
 * SQLSTATEs of a server going away or not yet back: connection exceptions (class 08), the administrator
 * shutdown, crash shutdown and "starting up" of class 57P, and too many connections (53300).
 */
const sqlStates = /^(08...|57P01|57P02|57P03|53300)$/;
/** Node's errors for a connection refused, reset or timed out. */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** node-postgres and its pool say these in words only. */
const driverMessages = [/^Connection terminated/, /^timeout exceeded when trying to connect/, /is not queryable/];
/**
 * TypeORM releases a query runner whose connection the server closed (its `error` event), so the next
 * statement of a transaction in flight fails with this instead of the connection's own error.
 */
const releasedRunner = 'QueryRunnerAlreadyReleasedError';

/**
 * Whether `error` (or what it wraps: a GraphQL error's original, a TypeORM driver error, a cause, an
 * AggregateError's errors, a non-Error value graphql-js wrapped) says the database was unreachable. Errors
 * are read by shape, not class: under a test runner a driver's error can come from another realm.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as {
    code?: unknown;
    message?: unknown;
    originalError?: unknown;
    thrownValue?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string' && (sqlStates.test(e.code) || socketCodes.has(e.code))) return true;
  if ((error as Error).name === releasedRunner) return true;
  if (typeof e.message === 'string' && driverMessages.some((pattern) => pattern.test(e.message as string))) return true;
  const inner = [e.originalError, e.thrownValue, e.driverError, e.cause, ...(Array.isArray(e.errors) ? e.errors : [])];
  return inner.some((next) => next !== error && isDatabaseUnavailable(next, depth + 1));
}
