import { ArgumentsHost } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { GraphqlErrorPassThroughFilter } from './graphql-error.filter';

describe('GraphqlErrorPassThroughFilter', () => {
  it('hands a resolver GraphQL error back as it is, code and all, so Nest does not log it as unexpected', () => {
    const error = new GraphQLError('Withheld by policy: not released', {
      extensions: { code: 'WITHHELD_BY_POLICY', domain: true },
    });
    const host = { getType: () => 'graphql' } as unknown as ArgumentsHost;
    expect(new GraphqlErrorPassThroughFilter().catch(error, host)).toBe(error);
  });

  it('answers an HTTP route with a bare 500, no detail', () => {
    const json = jest.fn();
    const response = { status: jest.fn(() => ({ json })) };
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({ getResponse: () => response }),
    } as unknown as ArgumentsHost;
    new GraphqlErrorPassThroughFilter().catch(new GraphQLError('secret detail'), host);
    expect(response.status).toHaveBeenCalledWith(500);
    expect(JSON.stringify(json.mock.calls)).not.toContain('secret');
  });
});
