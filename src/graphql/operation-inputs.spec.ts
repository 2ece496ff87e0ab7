import { buildSchema, parse, OperationDefinitionNode } from 'graphql';
import { operationInputs } from './operation-inputs';

const schema = buildSchema(`
  scalar _Any
  input Note { title: String!, body: String, tags: [String!] }
  type Query { _entities(representations: [_Any!]!): [String]!, find(name: String, id: ID, limit: Int): String }
  type Mutation { write(note: Note!, reason: String): String }
`);
// What @MultilineText() sets on an input field.
(schema.getType('Note') as unknown as { getFields(): Record<string, { extensions: object }> }).getFields().body.extensions = { safeText: 'multiline' };

const inputs = (source: string, variables?: Record<string, unknown>) => {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return operationInputs(schema, document, operation, variables);
};

describe('operationInputs', () => {
  it('finds every string of literals and variables, at any depth, with the mode of its input field', () => {
    const found = inputs('mutation ($n: Note!) { write(note: $n, reason: "because") }', { n: { title: 'T', body: 'B', tags: ['a', 'b'] } });
    expect(found!.texts.map(({ value, mode, argument, path, coordinate }) => [coordinate, argument, path, value, mode])).toEqual([
      ['Mutation.write', 'note', 'title', 'T', 'line'],
      ['Mutation.write', 'note', 'body', 'B', 'multiline'],
      ['Mutation.write', 'note', 'tags[0]', 'a', 'line'],
      ['Mutation.write', 'note', 'tags[1]', 'b', 'line'],
      ['Mutation.write', 'reason', '', 'because', 'line'],
    ]);
  });

  it('looks inside fragments and only at the operation that runs', () => {
    const found = inputs('query A { ...F } query B { find(name: "other") } fragment F on Query { find(name: "x", id: "1") }');
    expect(found!.texts.map((t) => t.value)).toEqual(['x', '1']);
  });

  it('collects the representations of every _entities field (aliases), and every key and string inside them', () => {
    const found = inputs('query ($r: [_Any!]!) { a: _entities(representations: $r) b: _entities(representations: [{ __typename: "Person", id: "2" }]) }', {
      r: [{ __typename: 'Person', id: '1', nested: { deep: ['v'] } }],
    });
    expect(found!.representations).toHaveLength(2);
    expect(found!.texts.map((t) => t.path)).toEqual(expect.arrayContaining(['[0].__typename', '[0].nested.deep[0]', '[0].id']));
  });

  it('refuses a representation nested deeper than any honest one', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 30; i++) deep = { d: deep };
    const found = inputs('query ($r: [_Any!]!) { _entities(representations: $r) }', { r: [deep] });
    expect(found!.texts.some((t) => t.problem?.includes('nested'))).toBe(true);
  });

  it('leaves variables that do not coerce to execution', () => {
    expect(inputs('query ($l: Int) { find(limit: $l) }', { l: 'not a number' })).toBeUndefined();
  });
});
