import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Request } from 'express';
import { AuthException } from './auth.exception';
import { principalOf } from './request-context';
import { Principal } from './principal';

/** The request's HTTP request, from a GraphQL or HTTP execution context. */
export function requestOf(context: ExecutionContext): Request {
  if (context.getType<string>() === 'graphql')
    return GqlExecutionContext.create(context).getContext<{ req: Request }>().req;
  return context.switchToHttp().getRequest<Request>();
}

/** The verified principal; a resolver that uses it without one (a public resolver) gets a 401. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = principalOf(requestOf(context));
  if (!principal) throw AuthException.unauthenticated('missing-token');
  return principal;
});
