import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';

/**
 * GraphQL errors a resolver throws on purpose (WITHHELD_BY_POLICY, SOURCE_UNAVAILABLE) already carry their
 * code: they go to the client as they are. Without this filter, Nest's fallback for an exception no filter
 * catches logs it as an unexpected error with its stack, once for every withheld field of every answer,
 * since field resolvers run the exception filters too (they must, for `_entities` to keep the hub's codes).
 */
@Catch(GraphQLError)
export class GraphqlErrorPassThroughFilter implements ExceptionFilter {
  catch(error: GraphQLError, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') return error;
    // Not raised outside GraphQL; if it ever is, the HTTP client gets a plain 500 and no detail.
    host
      .switchToHttp()
      .getResponse<Response>()
      .status(500)
      .json({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
    return undefined;
  }
}
