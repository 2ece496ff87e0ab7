import { AccessErrorCode } from '../../../src/engine/access.exception';
import { DisclosureLimitCode } from '../../../src/access/disclosure/disclosure-limit.exception';
import { AuditErrorCode } from '../../../src/audit/audit.exception';
import { AuthErrorCode } from '../../../src/engine/auth.exception';
import { InputErrorCode } from '../../../src/common/hub-exception';
import { INTERNAL_ERROR_CODE } from '../../../src/graphql/graphql-errors';
import { TOO_MANY_REPRESENTATIONS } from '../../../src/graphql/input-hygiene.plugin';
import { PERSISTED_QUERY_NOT_ALLOWED } from '../../../src/graphql/persisted-queries';
import { IdentityErrorCode } from '../../../src/identity/identity.exception';
import { RateLimitErrorCode } from '../../../src/rate-limit/rate-limit.service';
import { EligibilityErrorCode } from '../../../src/single-view/eligibility/eligibility.exception';
import { SingleViewErrorCode } from '../../../src/single-view/single-view.errors';
import { SourceErrorCode } from '../../../src/sources/source-transport';
import { LifeEventErrorCode } from '../../../src/life-events/life-event.exception';
import { LifeEventDeliveryErrorCode } from '../../../src/life-events/delivery/life-event-delivery.exception';

/** Apollo Server's own codes for requests that are wrong as sent, and Nest's for its HTTP exceptions. */
const APOLLO_CODES = [
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
];

/**
 * Codes that mean the hub failed rather than the request: an unexpected error, an audit event the hub
 * built wrong, a field with no policy, an audit trail that could not be written (the suite's database is
 * healthy, so that too is a bug). A hostile request must never produce one.
 */
export const BUG_CODES: ReadonlySet<string> = new Set([
  INTERNAL_ERROR_CODE,
  AuditErrorCode.AUDIT_EVENT_INVALID,
  AuditErrorCode.AUDIT_UNAVAILABLE,
  AuditErrorCode.AUDIT_ROLE_PRIVILEGED,
  AuthErrorCode.NO_POLICY,
]);

/** Every code the hub answers with on purpose: its domain enums, its plugins' codes and Apollo's. */
export const KNOWN_CODES: ReadonlySet<string> = new Set(
  [
    ...APOLLO_CODES,
    PERSISTED_QUERY_NOT_ALLOWED,
    TOO_MANY_REPRESENTATIONS,
    ...[
      AccessErrorCode,
      DisclosureLimitCode,
      AuditErrorCode,
      AuthErrorCode,
      InputErrorCode,
      IdentityErrorCode,
      RateLimitErrorCode,
      EligibilityErrorCode,
      SingleViewErrorCode,
      SourceErrorCode,
      LifeEventErrorCode,
      LifeEventDeliveryErrorCode,
    ].flatMap((codes) => Object.values(codes) as string[]),
  ].filter((code) => !BUG_CODES.has(code)),
);

/**
 * What may never be in an answer: a stack frame, a file path of the deployment, a JavaScript error's own
 * words, or PostgreSQL's (which can quote a row's values or name tables and constraints).
 */
export const LEAK_PATTERNS: readonly RegExp[] = [
  /\bat (?:async )?[\w$.<>[\]]+ \(/,
  /\bat (?:\/|node:|file:)/,
  /(?:^|[\s"'(])\/(?:work|home|root|usr|opt|srv|app|var\/lib)\/[\w.-]+/,
  /\b(?:node_modules|dist\/src|src\/[\w-]+\/[\w.-]+\.ts)\b/,
  /\.(?:ts|js):\d+:\d+/,
  /syntax error at or near/i,
  /\bviolates\b/i,
  /invalid input syntax for/i,
  /invalid input value for enum/i,
  /(?:relation|column|constraint|table) "[^"]*" (?:does not exist|of relation)/i,
  /duplicate key value/i,
  /current transaction is aborted/i,
  /invalid byte sequence for encoding/i,
  /value too long for type/i,
  /out of range for type/i,
  /\bQueryFailedError\b|\bEntityNotFound\w*\b|\bTypeORMError\b/,
  /\b(?:TypeError|ReferenceError|RangeError|SyntaxError: Unexpected token [^"]*in JSON at)\b/,
  /Cannot read propert(?:y|ies) of/,
  /is not a function/,
  /Maximum call stack size exceeded/,
];

export interface HttpAnswer {
  status: number;
  text: string;
  /** How long the request took, or undefined when it did not finish within the bound. */
  elapsedMs?: number;
  /** The `x-request-id` the hub answered with: the id its audit events carry. */
  requestId?: string;
}

/** Everything wrong with one answer to a hostile request; empty when it is a clean refusal or answer. */
export function answerProblems(answer: HttpAnswer, boundMs: number): string[] {
  const problems: string[] = [];
  if (answer.elapsedMs === undefined) return [`no answer within ${boundMs} ms`];
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  if (answer.status < 200 || (answer.status >= 300 && answer.status < 400))
    problems.push(`unexpected HTTP ${answer.status}`);
  for (const pattern of LEAK_PATTERNS) if (pattern.test(answer.text)) problems.push(`leak: matches ${pattern}`);
  let body: unknown;
  try {
    body = answer.text ? JSON.parse(answer.text) : undefined;
  } catch {
    if (answer.status === 200) problems.push('a 200 answer that is not JSON');
    return problems;
  }
  const graphql = body !== null && typeof body === 'object' && ('data' in body || 'errors' in body);
  if (answer.status === 200 && !graphql) problems.push('a 200 answer that is not a GraphQL result');
  if (!graphql) return problems;
  const errors = (body as { errors?: unknown }).errors;
  if (errors === undefined) return problems;
  if (!Array.isArray(errors) || errors.length === 0) return [...problems, 'errors is not a non-empty list'];
  for (const error of errors as { message?: unknown; extensions?: { code?: unknown; stacktrace?: unknown } }[]) {
    const code = error.extensions?.code;
    if (typeof code !== 'string') problems.push(`an error without a code: ${String(error.message).slice(0, 120)}`);
    else if (BUG_CODES.has(code)) problems.push(`${code}: ${String(error.message).slice(0, 200)}`);
    else if (!KNOWN_CODES.has(code)) problems.push(`unknown code ${code}: ${String(error.message).slice(0, 120)}`);
    if (error.extensions?.stacktrace !== undefined) problems.push('an error carries a stacktrace');
  }
  return problems;
}
