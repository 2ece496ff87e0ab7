import { buildSchema, parse, OperationDefinitionNode } from 'graphql';
import { operationInputs } from './operation-inputs';

const schema = buildSchema(`
  scalar _Any
  scalar DateTime
  input Note { title: String!, body: String, tags: [String!], due: DateTime }
  type Query { _entities(representations: [_Any!]!): [String]!, find(name: String, id: ID, limit: Int, since: DateTime): String }
  type Mutation { write(note: Note!, reason: String): String }
`);
// What @MultilineText({ maxLength: 2000 }) sets on an input field.
(
  schema.getType('Note') as unknown as { getFields(): Record<string, { extensions: object }> }
).getFields().body.extensions = { safeText: 'multiline', safeTextMaxLength: 2000 };
// As @nestjs/graphql's DateTime parses: any string into a Date, "not a date" into an invalid one.
Object.assign(schema.getType('DateTime')!, {
  parseValue: (value: unknown) => new Date(value as string),
  parseLiteral: (ast: { value: string }) => new Date(ast.value),
});

const inputs = (source: string, variables?: Record<string, unknown>) => {
  const document = parse(source);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode;
  return operationInputs(schema, document, operation, variables);
};

describe('operationInputs', () => {
  it('finds every string of literals and variables, at any depth, with the mode of its input field', () => {
    const found = inputs('mutation ($n: Note!) { write(note: $n, reason: "because") }', {
      n: { title: 'T', body: 'B', tags: ['a', 'b'] },
    });
    expect(
      found!.texts.map(({ value, mode, argument, path, coordinate }) => [coordinate, argument, path, value, mode]),
    ).toEqual([
      ['Mutation.write', 'note', 'title', 'T', 'line'],
      ['Mutation.write', 'note', 'body', 'B', 'multiline'],
      ['Mutation.write', 'note', 'tags[0]', 'a', 'line'],
      ['Mutation.write', 'note', 'tags[1]', 'b', 'line'],
      ['Mutation.write', 'reason', '', 'because', 'line'],
    ]);
  });

  it("carries an input field's own length limit", () => {
    const found = inputs('mutation { write(note: { title: "T", body: "B" }) }');
    expect(found!.texts.map((t) => [t.path, t.maxLength])).toEqual([
      ['title', undefined],
      ['body', 2000],
    ]);
  });

  it('refuses a date-time that is not one, or outside the years 0001 to 9999, in literals, variables and input objects', () => {
    const problems = (source: string, variables?: Record<string, unknown>) =>
      inputs(source, variables)!.texts.map((t) => [t.path || t.argument, t.problem]);
    expect(problems('{ find(since: "next tuesday") }')).toEqual([['since', expect.stringMatching(/not a date-time/)]]);
    expect(problems('query ($s: DateTime) { find(since: $s) }', { s: '-271821-04-20T00:00:00Z' })).toEqual([
      ['since', expect.stringMatching(/0001 to 9999/)],
    ]);
    expect(problems('mutation { write(note: { title: "T", due: "2024-13-45" }) }')).toEqual([
      ['title', undefined],
      ['due', expect.stringMatching(/not a date-time/)],
    ]);
    expect(problems('{ find(since: "2025-06-01T09:00:00Z") }')).toEqual([]);
  });

  it('looks inside fragments and only at the operation that runs', () => {
    const found = inputs(
      'query A { ...F } query B { find(name: "other") } fragment F on Query { find(name: "x", id: "1") }',
    );
    expect(found!.texts.map((t) => t.value)).toEqual(['x', '1']);
  });

  it('collects the representations of every _entities field (aliases), and every key and string inside them', () => {
    const found = inputs(
      'query ($r: [_Any!]!) { a: _entities(representations: $r) b: _entities(representations: [{ __typename: "Person", id: "2" }]) }',
      {
        r: [{ __typename: 'Person', id: '1', nested: { deep: ['v'] } }],
      },
    );
    expect(found!.representations).toHaveLength(2);
    expect(found!.texts.map((t) => t.path)).toEqual(
      expect.arrayContaining(['[0].__typename', '[0].nested.deep[0]', '[0].id']),
    );
  });

  it('refuses a representation nested deeper than any honest one', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 30; i++) deep = { d: deep };
    const found = inputs('query ($r: [_Any!]!) { _entities(representations: $r) }', { r: [deep] });
    expect(found!.texts.some((t) => t.problem?.includes('nested'))).toBe(true);
  });

  it('reads the values of each request afresh when the same parsed document comes again, operation by operation', () => {
    // Apollo hands the same parsed document for a query text it has seen: only where arguments go is kept.
    const document = parse(`
      query One($n: String) { find(name: $n) }
      mutation Two($r: String) { write(note: { title: "T" }, reason: $r) }`);
    const [one, two] = document.definitions as OperationDefinitionNode[];
    const texts = (operation: OperationDefinitionNode, variables: Record<string, unknown>) =>
      operationInputs(schema, document, operation, variables)!.texts.map((t) => [t.coordinate, t.argument, t.value]);
    expect(texts(one, { n: 'Ann' })).toEqual([['Query.find', 'name', 'Ann']]);
    expect(texts(one, { n: 'Bo\u0007b' })).toEqual([['Query.find', 'name', 'Bo\u0007b']]);
    expect(texts(two, { r: 'why' })).toEqual([
      ['Mutation.write', 'note', 'T'],
      ['Mutation.write', 'reason', 'why'],
    ]);
    expect(texts(one, {})).toEqual([]);
  });

  it('leaves variables that do not coerce to execution', () => {
    expect(inputs('query ($l: Int) { find(limit: $l) }', { l: 'not a number' })).toBeUndefined();
  });
});
