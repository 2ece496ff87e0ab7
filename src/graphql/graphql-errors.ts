import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { HubException } from '../common/hub-exception';
import { DatabaseUnavailableException, isDatabaseUnavailable } from '../database/database-unavailable';
import { HubRequestContext } from '../engine/request-context';

export const INTERNAL_ERROR_CODE = 'INTERNAL_SERVER_ERROR';

/** Codes whose messages are written for clients and so are safe to show in production. */
const clientFacingCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Every error leaves with a code. In production, errors that are not the hub's own (whose messages are
 * written to be safe) are masked to their code, so no internal detail or stack reaches a client.
 */
export function formatGraphqlError(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = requestErrorCode(error) ?? String(formatted.extensions?.code ?? INTERNAL_ERROR_CODE);
    // The database away (restart, failover) is not the hub's bug: a code the client can retry on, no driver text.
    if (code === INTERNAL_ERROR_CODE && isDatabaseUnavailable(error)) {
      const unavailable = new DatabaseUnavailableException();
      return { ...formatted, message: unavailable.message, extensions: { code: unavailable.code } };
    }
    const domain = (error as GraphQLError)?.extensions?.domain === true;
    const { stacktrace: _stacktrace, domain: _domain, ...extensions } = formatted.extensions ?? {};
    const safe = !production || domain || clientFacingCodes.has(code);
    return {
      ...formatted,
      message: safe ? formatted.message : maskedMessage(code),
      extensions: production
        ? { ...extensions, code }
        : { ...extensions, code, ...(_stacktrace ? { stacktrace: _stacktrace } : {}) },
    };
  };
}

/**
 * A domain exception raised outside a resolver (in an Apollo plugin, where Nest's exception filter does not
 * run) as the GraphQL error the filter would have made; the database away as DATABASE_UNAVAILABLE; anything
 * else as an internal error, with no detail.
 */
export function toGraphqlError(error: unknown): GraphQLError {
  if (error instanceof HubException) {
    return new GraphQLError(error.message, {
      extensions: { code: error.code, domain: true, ...(error.details ? { details: error.details } : {}) },
    });
  }
  if (isDatabaseUnavailable(error)) return toGraphqlError(new DatabaseUnavailableException());
  return new GraphQLError('Internal server error', { extensions: { code: INTERNAL_ERROR_CODE } });
}

/**
 * Apollo refuses some requests before running them (an unsupported persisted-query version, a hash that does
 * not match the query) with an HTTP 400 but no code, which it then reports as INTERNAL_SERVER_ERROR: they are
 * the client's mistake, BAD_REQUEST.
 */
function requestErrorCode(error: unknown): string | undefined {
  // Read by shape: Apollo's ESM build has a GraphQLError class of its own.
  const extensions = (error as { extensions?: Record<string, unknown> } | null)?.extensions;
  if (!extensions || extensions.code !== undefined) return undefined;
  const status = (extensions.http as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? 'BAD_REQUEST' : undefined;
}

function maskedMessage(code: string): string {
  return code === INTERNAL_ERROR_CODE ? 'Internal server error' : `Request failed (${code})`;
}

/**
 * Adds the request id to every error, so a user's report can be found in the logs, and marks every
 * response `cache-control: no-store`: answers carry personal data and no cache may keep them. (Apollo's
 * cache-control plugin, which also said no-store here, is turned off: it hooked every field's resolution.)
 */
export const requestIdPlugin: ApolloServerPlugin<HubRequestContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response, contextValue }) {
        response.http.headers.set('cache-control', 'no-store');
        if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
        response.body.singleResult.errors = response.body.singleResult.errors.map((error) => ({
          ...error,
          extensions: { ...error.extensions, requestId: contextValue.requestId },
        }));
      },
    };
  },
};
