import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  GraphQLField,
  GraphQLFieldResolver,
  GraphQLResolveInfo,
  GraphQLSchema,
  isLeafType,
  isObjectType,
  responsePathAsArray,
} from 'graphql';
import { AccessErrorCode } from '../access.exception';
import { POLICY_FIELD_EXTENSION, POLICY_OPEN_EXTENSION, POLICY_SUBJECT_EXTENSION } from './policy.decorator';
import { HubRequestContext } from '../request-context';

/**
 * The error a withheld field carries; its value is null and the rest of the response still returns. It is
 * a marker, not a fault: made without a stack trace (a household view carries tens of them, and capturing
 * and formatting a stack for each was a tenth of the hub's CPU under load). `at`: the field it is thrown
 * for, when the caller has it, so that it is placed there at once.
 */
export function withheldError(field: string, reason: string, at?: GraphQLResolveInfo): GraphQLError {
  return marker(
    `Withheld by policy: ${reason}`,
    {
      code: AccessErrorCode.WITHHELD_BY_POLICY,
      domain: true,
      details: { field, reason },
    },
    at,
  );
}

/**
 * A withheld marker a resolver threw, given its place in the answer (the field's nodes and path), as
 * graphql-js would: with the place already set, graphql-js takes it as it is instead of wrapping it in a
 * second error, with a stack of its own. Any other error is left for graphql-js to place.
 */
function placed(error: unknown, info: GraphQLResolveInfo): unknown {
  if (!(error instanceof GraphQLError) || error.path || error.extensions.code !== AccessErrorCode.WITHHELD_BY_POLICY)
    return error;
  return marker(error.message, error.extensions, info);
}

/** A GraphQL error made without a stack trace, at the field of `at` when given. */
function marker(message: string, extensions: GraphQLError['extensions'], at?: GraphQLResolveInfo): GraphQLError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new GraphQLError(message, {
      ...(at ? { nodes: at.fieldNodes, path: responsePathAsArray(at.path) } : {}),
      extensions,
    });
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Puts the policy in front of every field of every object type of the schema, so no resolver can forget
 * it (installed as the GraphQL module's `transformSchema`). Under an object released for a subject:
 * - a field declared `@ReleasedAs(ref)` resolves only if the subject's decision released `ref`; otherwise
 *   it is null with a WITHHELD_BY_POLICY error, and its resolver (and any source call) never runs;
 * - a scalar field with no declaration is withheld too (fail closed), unless declared `@NotPersonalData`;
 * - objects returned are tagged with the same decision, down to the leaves, in the request's register
 *   (`HubRequestContext.subjectTags`).
 * A `@ReleasedAs` field on an object with no decision at all is withheld.
 *
 * Each field's resolver is wrapped in place rather than through Nest's field middleware, which makes every
 * field asynchronous (several promises per scalar): a field that resolves at once stays synchronous here.
 */
export function enforceFieldPolicy(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) guardField(type.name, field);
  }
  return schema;
}

function guardField(typeName: string, field: GraphQLField<unknown, unknown>): void {
  const extensions = field.extensions ?? {};
  const ref = extensions[POLICY_FIELD_EXTENSION];
  const releasedAs = typeof ref === 'string' ? ref : undefined;
  const subjectField = !!extensions[POLICY_SUBJECT_EXTENSION];
  const undeclaredLeaf =
    !releasedAs && !extensions[POLICY_OPEN_EXTENSION] && !subjectField && isLeafType(getNamedType(field.type));
  const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, context, info) => {
    // The request's register of decisions; a context that is not a request's has none, so nothing is released.
    const tags = context instanceof HubRequestContext ? context.subjectTags : undefined;
    const tag = tags?.of(source);
    if (releasedAs) {
      if (!tag) throw withheldError(releasedAs, 'no access decision covers this object', info);
      if (!tag.decision.released.includes(releasedAs)) {
        const reason =
          tag.decision.withheld.find((w) => w.field === releasedAs)?.reason ??
          'not released by the decision for this request';
        throw withheldError(releasedAs, reason, info);
      }
    } else if (tag && undeclaredLeaf) {
      const reason = 'this field declares no policy (ReleasedAs or NotPersonalData)';
      throw withheldError(`${typeName}.${field.name}`, reason, info);
    }
    let value: unknown;
    try {
      value = resolve(source, args, context, info);
    } catch (error) {
      throw placed(error, info);
    }
    const tagged = !!tag && !!tags && !subjectField;
    if (isPromise(value)) {
      return value.then(
        (resolved) => {
          if (tagged) tags.tag(resolved, tag);
          return resolved;
        },
        (error: unknown) => {
          throw placed(error, info);
        },
      );
    }
    if (tagged) tags.tag(value, tag);
    return value;
  };
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as Promise<unknown> | null)?.then === 'function';
}
