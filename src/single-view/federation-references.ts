import { createHash } from 'node:crypto';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { isObjectType } from 'graphql';
import { InputErrorCode, InputException } from '../common/hub-exception';
import type { HubRequestContext } from '../engine/request-context';
import { toGraphqlError } from '../graphql/graphql-errors';
import { RefusalAuditService } from '../rate-limit/refusal-audit.service';

type ReferenceResolver = (...args: unknown[]) => unknown;

const PATCHED = Symbol('hub:reference-args');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * @nestjs/graphql wraps a `@ResolveReference()` like a field resolver (guards and interceptors included), as
 * `(root, args, context, info)`, while federation's `_entities` calls it `(reference, context, info)`: the
 * guard and the policy interceptor then find no `info` and the call fails. Here every reference resolver
 * of the schema is called in the field-resolver shape, `(reference, undefined, context, info)`, so it
 * passes through the same guard, policy interceptor and field policy as every other field.
 *
 * A representation whose id is malformed or names no one used to answer a silent null: a client probing
 * ids (or sending NHS numbers as ids) left no trace. Now it answers an error on that entity
 * (BAD_USER_INPUT, NOT_FOUND) and is audited as a lookup (`person.lookup`, `household.lookup`), after the
 * guard, the purpose and the agreement gate have admitted the caller, so the refusals are in the same
 * order as `person(id)`'s. A malformed value is recorded by its length and fingerprint, never as sent.
 */
@Injectable()
export class FederationReferenceArgs implements OnApplicationBootstrap {
  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly refusals: RefusalAuditService,
  ) {}

  onApplicationBootstrap(): void {
    // The GraphQL module does not export its schema host; it is looked up across modules.
    const schema = this.moduleRef.get(GraphQLSchemaHost, { strict: false }).schema;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      const apollo = (type.extensions as { apollo?: { subgraph?: { resolveReference?: ReferenceResolver } } }).apollo;
      const resolve = apollo?.subgraph?.resolveReference;
      if (!resolve || (resolve as { [PATCHED]?: boolean })[PATCHED]) continue;
      const typename = type.name;
      const called: ReferenceResolver = async (reference, context, info) => {
        const found = await resolve(reference, undefined, context, info);
        if (found !== null && found !== undefined) return found;
        throw toGraphqlError(await this.lookupFailed(typename, reference, context as HubRequestContext));
      };
      Object.defineProperty(called, PATCHED, { value: true });
      type.extensions = {
        ...type.extensions,
        apollo: { ...apollo, subgraph: { ...apollo.subgraph, resolveReference: called } },
      };
    }
  }

  private async lookupFailed(
    typename: string,
    reference: unknown,
    context: HubRequestContext,
  ): Promise<InputException> {
    const id = (reference as { id?: unknown } | null)?.id;
    const malformed = typeof id !== 'string' || !uuid.test(id);
    const noun = typename.toLowerCase();
    const principal = context.principal;
    // Admitted callers have a valid context; none is only a safeguard for the audit event.
    const access = context.declaredAccessOrNone();
    const reason = malformed ? `the id is not a ${noun} id (UUID)` : `no ${noun} has this id`;
    await this.refusals.refuse(
      {
        ...(principal ? { actor: principal } : {}),
        operation: `${noun}.lookup`,
        decision: 'deny',
        purpose: access.purpose,
        caseReference: access.caseReference,
        reasons: [reason],
        requestId: context.requestId,
        detail: { query: '_entities', typename, ...(malformed ? { malformed: fingerprint(id) } : { id }) },
      },
      {
        key: principal ? `${principal.organisation}/${principal.client ?? principal.subject}` : 'anonymous',
        reason: malformed ? 'malformed-id' : 'unknown-id',
        detail: principal ? { client: `${principal.organisation}/${principal.client ?? principal.subject}` } : {},
      },
    );
    return malformed
      ? new InputException(InputErrorCode.BAD_USER_INPUT, `${typename} id must be a hub id (UUID)`)
      : new InputException(InputErrorCode.NOT_FOUND, `No ${noun} has this id`);
  }
}

/** Enough to tell the same probe again, or to confirm a value the DPO already holds; not the value itself. */
function fingerprint(value: unknown): { length: number; sha256: string } | { missing: true } {
  if (value === undefined || value === null) return { missing: true };
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return { length: text.length, sha256: createHash('sha256').update(text).digest('hex').slice(0, 16) };
}
