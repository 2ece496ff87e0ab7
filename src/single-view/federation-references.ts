import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { isObjectType } from 'graphql';

type ReferenceResolver = (...args: unknown[]) => unknown;

const PATCHED = Symbol('hub:reference-args');

/**
 * @nestjs/graphql wraps a `@ResolveReference()` like a field resolver (guards and interceptors included), as
 * `(root, args, context, info)`, while federation's `_entities` calls it `(reference, context, info)`: the
 * guard and the policy interceptor then find no `info` and the call fails. Here every reference resolver
 * of the schema is called in the field-resolver shape, `(reference, undefined, context, info)`, so it
 * passes through the same guard, policy interceptor and field policy as every other field.
 */
@Injectable()
export class FederationReferenceArgs implements OnApplicationBootstrap {
  constructor(private readonly moduleRef: ModuleRef) {}

  onApplicationBootstrap(): void {
    // The GraphQL module does not export its schema host; it is looked up across modules.
    const schema = this.moduleRef.get(GraphQLSchemaHost, { strict: false }).schema;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      const apollo = (type.extensions as { apollo?: { subgraph?: { resolveReference?: ReferenceResolver } } }).apollo;
      const resolve = apollo?.subgraph?.resolveReference;
      if (!resolve || (resolve as { [PATCHED]?: boolean })[PATCHED]) continue;
      const called: ReferenceResolver = (reference, context, info) => resolve(reference, undefined, context, info);
      Object.defineProperty(called, PATCHED, { value: true });
      type.extensions = { ...type.extensions, apollo: { ...apollo, subgraph: { ...apollo.subgraph, resolveReference: called } } };
    }
  }
}
