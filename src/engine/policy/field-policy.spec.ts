import type { Request, Response } from 'express';
import { graphql, GraphQLError, GraphQLList, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { HubRequestContext } from '../request-context';
import type { Decision } from './decision';
import { enforceFieldPolicy, withheldError } from './field-policy';
import { POLICY_FIELD_EXTENSION, POLICY_SUBJECT_EXTENSION } from './policy.decorator';

const decision = {
  effect: 'allow',
  released: ['src.cat.name'],
  withheld: [{ field: 'src.cat.nino', reason: 'not released by agreement a v1 for P' }],
  reasons: [],
  agreement: 'a',
} as unknown as Decision;

/** A person with a released name, a withheld NINO, a list whose refusal is thrown by its resolver, and a fault. */
function schema(): GraphQLSchema {
  const Record = new GraphQLObjectType({
    name: 'Record',
    fields: {
      name: { type: GraphQLString, extensions: { [POLICY_FIELD_EXTENSION]: 'src.cat.name' } },
      nino: { type: GraphQLString, extensions: { [POLICY_FIELD_EXTENSION]: 'src.cat.nino' } },
      notes: {
        type: new GraphQLList(GraphQLString),
        extensions: { policyOpen: 'a test list, refused by its own resolver' },
        resolve: () => {
          throw withheldError('src.notes.*', 'none of the notes fields asked for is released');
        },
      },
      later: {
        type: GraphQLString,
        extensions: { policyOpen: 'refused after a wait' },
        resolve: async () => {
          await Promise.resolve();
          throw withheldError('src.later.*', 'not released');
        },
      },
      broken: {
        type: GraphQLString,
        extensions: { policyOpen: 'a fault' },
        resolve: () => {
          throw new Error('the source answered garbage');
        },
      },
    },
  });
  return enforceFieldPolicy(
    new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: {
          record: {
            type: Record,
            extensions: { [POLICY_SUBJECT_EXTENSION]: true },
            resolve: (_root, _args, context: HubRequestContext) => {
              const record = { name: 'Ann', nino: 'QQ123456C' };
              context.subjectTags.tag(record, { subject: { personId: 'p-1' }, decision });
              return record;
            },
          },
        },
      }),
    }),
  );
}

describe('field policy: withheld markers', () => {
  it('places each marker at its field (path and location) with the reason, and captures no stack for it', async () => {
    const context = new HubRequestContext({ headers: {} } as Request, {} as Response, 'r-1');
    const result = await graphql({
      schema: schema(),
      source: '{ record {\n name nino notes later broken } }',
      contextValue: context,
    });
    expect(result.data).toEqual({ record: { name: 'Ann', nino: null, notes: null, later: null, broken: null } });
    const errors = result.errors as readonly GraphQLError[];
    const byPath = new Map(errors.map((error) => [error.path!.join('.'), error]));
    expect([...byPath.keys()].sort()).toEqual(['record.broken', 'record.later', 'record.nino', 'record.notes']);
    for (const path of ['record.nino', 'record.notes', 'record.later']) {
      const error = byPath.get(path)!;
      expect(error.extensions.code).toBe('WITHHELD_BY_POLICY');
      expect(error.locations).toHaveLength(1);
      expect(error.stack ?? '').not.toMatch(/\n\s+at /);
    }
    expect(byPath.get('record.nino')!.toJSON()).toEqual({
      message: 'Withheld by policy: not released by agreement a v1 for P',
      locations: [{ line: 2, column: 7 }],
      path: ['record', 'nino'],
      extensions: {
        code: 'WITHHELD_BY_POLICY',
        domain: true,
        details: { field: 'src.cat.nino', reason: 'not released by agreement a v1 for P' },
      },
    });
    expect(byPath.get('record.notes')!.extensions.details).toEqual({
      field: 'src.notes.*',
      reason: 'none of the notes fields asked for is released',
    });
    // A fault is not a marker: graphql-js places it, and its stack is kept for the logs.
    expect(byPath.get('record.broken')!.originalError?.message).toBe('the source answered garbage');
    expect(byPath.get('record.broken')!.originalError?.stack).toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });
});
