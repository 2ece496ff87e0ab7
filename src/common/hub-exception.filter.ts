import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { GqlContextType } from '@nestjs/graphql';
import type { Response } from 'express';
import { GraphQLError } from 'graphql';
import { HubException } from './hub-exception';

/** The one place domain exceptions become client errors: GraphQL extensions codes, or HTTP JSON bodies. */
@Catch(HubException)
export class HubExceptionFilter implements ExceptionFilter {
  catch(exception: HubException, host: ArgumentsHost): unknown {
    if (host.getType<GqlContextType>() === 'graphql') {
      return new GraphQLError(exception.message, {
        extensions: {
          code: exception.code,
          domain: true,
          ...(exception.details ? { details: exception.details } : {}),
        },
        originalError: exception,
      });
    }
    const response = host.switchToHttp().getResponse<Response>();
    for (const [name, value] of Object.entries(exception.httpHeaders ?? {})) response.setHeader(name, value);
    response
      .status(exception.httpStatus)
      .json({ code: exception.code, message: exception.message, details: exception.details });
    return undefined;
  }
}
