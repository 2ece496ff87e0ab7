import { buildSchema, parse, validate } from 'graphql';
import { KnownOperationTypesRule } from './known-operation-types.rule';

describe('KnownOperationTypesRule', () => {
  const schema = buildSchema('type Query { a: String } type Mutation { b: String }');
  const errors = (source: string) =>
    validate(schema, parse(source), [KnownOperationTypesRule]).map((error) => error.message);

  it('refuses an operation type the schema does not have', () => {
    expect(errors('subscription { a }')).toEqual(['This API has no subscription operations']);
    expect(
      validate(buildSchema('type Query { a: String }'), parse('mutation { a }'), [KnownOperationTypesRule]).map(
        (e) => e.message,
      ),
    ).toEqual(['This API has no mutation operations']);
  });

  it('lets queries and mutations the schema has through', () => {
    expect(errors('query { a } mutation M { b }')).toEqual([]);
  });
});
