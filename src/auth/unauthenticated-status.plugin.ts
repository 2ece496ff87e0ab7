import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { AuthErrorCode } from '../engine/auth.exception';

/**
 * GraphQL answers errors with HTTP 200; a refused credential is answered with 401 and a
 * `WWW-Authenticate: Bearer` challenge, as HTTP clients, gateways and monitors expect.
 */
@Plugin()
export class UnauthenticatedStatusPlugin implements ApolloServerPlugin {
  async requestDidStart(): Promise<GraphQLRequestListener<object>> {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors ?? [];
        if (!errors.some((error) => error.extensions?.code === AuthErrorCode.UNAUTHENTICATED)) return;
        response.http.status = 401;
        response.http.headers.set('www-authenticate', 'Bearer');
      },
    };
  }
}
