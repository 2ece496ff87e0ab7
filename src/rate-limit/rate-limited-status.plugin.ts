import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { RateLimitErrorCode } from './rate-limit.service';

/**
 * GraphQL answers errors with HTTP 200; a request refused for its rate is answered with 429 and
 * `Retry-After`, as HTTP clients, gateways and load balancers expect (and back off on).
 */
@Plugin()
export class RateLimitedStatusPlugin implements ApolloServerPlugin {
  async requestDidStart(): Promise<GraphQLRequestListener<object>> {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const limited = (response.body.singleResult.errors ?? []).filter(
          (error) => error.extensions?.code === RateLimitErrorCode.RATE_LIMITED,
        );
        if (limited.length === 0) return;
        const waits = limited.map((error) =>
          Number((error.extensions?.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds),
        );
        const retryAfter = Math.max(1, ...waits.filter((wait) => Number.isInteger(wait)));
        response.http.status = 429;
        response.http.headers.set('retry-after', String(retryAfter));
      },
    };
  }
}
