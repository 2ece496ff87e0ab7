import { buildSchema, parse } from 'graphql';
import { rootFieldLabel } from './graphql-metrics.plugin';

const schema = buildSchema(`
  type Person { id: ID! name: String }
  type Query { person(id: ID!): Person searchPeople(name: String!): [Person!]! hubInfo: String }
  type Mutation { recordConsent(person: ID!): Boolean }
`);

const label = (source: string, operationName?: string) => {
  const document = parse(source);
  const operations = document.definitions.filter((d) => d.kind === 'OperationDefinition');
  const operation = operationName
    ? operations.find((o) => o.kind === 'OperationDefinition' && o.name?.value === operationName)
    : operations[0];
  return rootFieldLabel(schema, document, operation?.kind === 'OperationDefinition' ? operation : undefined);
};

describe('the GraphQL operation label', () => {
  it('is the root field selected, whatever the client named the operation or aliased the field', () => {
    expect(label('query WhoIsJohnSmith { person(id: "1") { id } }')).toBe('person');
    expect(label('{ a: person(id: "1") { id } b: person(id: "2") { name } __typename }')).toBe('person');
    expect(label('mutation { recordConsent(person: "1") }')).toBe('recordConsent');
  });

  it('follows fragments at the root', () => {
    expect(label('query { ...Root } fragment Root on Query { searchPeople(name: "x") { id } }')).toBe('searchPeople');
    expect(label('query { ... on Query { hubInfo } }')).toBe('hubInfo');
    expect(
      label('query { ...A ...B } fragment A on Query { person(id: "1") { id } } fragment B on Query { ...A hubInfo }'),
    ).toBe('multiple');
  });

  it('is `multiple` for several root fields and `other` for none the schema has', () => {
    expect(label('{ person(id: "1") { id } hubInfo }')).toBe('multiple');
    expect(label('{ dropTables }')).toBe('other');
    expect(label('{ __typename }')).toBe('other');
    expect(label('subscription { person(id: "1") { id } }')).toBe('other');
    expect(label('{ __schema { types { name } } }')).toBe('__schema');
    expect(rootFieldLabel(schema, parse('{ hubInfo }'), undefined)).toBe('other');
  });

  it('takes the operation that runs from a document with several', () => {
    const document = 'query A { person(id: "1") { id } } query B { hubInfo }';
    expect(label(document, 'B')).toBe('hubInfo');
    expect(label(document, 'A')).toBe('person');
  });
});
