import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, GraphQLSchema, isUnionType } from 'graphql';
import { Authenticator } from '../auth/authenticator.service';
import { unsafeTextProblem } from '../common/safe-text';
import { RefusalAuditService } from '../rate-limit/refusal-audit.service';
import { HubRequestContext } from '../engine/request-context';
import { toGraphqlError } from './graphql-errors';
import { operationInputs, TextInput } from './operation-inputs';

export const TOO_MANY_REPRESENTATIONS = 'TOO_MANY_REPRESENTATIONS';
const BAD_USER_INPUT = 'BAD_USER_INPUT';
/** The union federation builds of every entity type (`@key`). */
const ENTITY_UNION = '_Entity';

export interface InputHygieneOptions {
  /** GRAPHQL_MAX_REPRESENTATIONS. */
  maxRepresentations: number;
  authenticator: Authenticator;
  refusals: RefusalAuditService;
}

/**
 * Checks what an operation sends before any resolver runs, so nothing malformed reaches the database, a
 * source or the audit trail:
 * - every string argument, in literals and variables alike, at any depth of an input object: no control
 *   characters, bidi overrides or lone surrogates, at most MAX_TEXT_LENGTH characters, and one line unless
 *   the input field is marked `@MultilineText()` (common/safe-text.ts); every date-time a date-time within
 *   years 0001-9999. Refused with BAD_USER_INPUT naming the argument and field, never the value;
 * - `_entities`: each representation must be an object naming an entity type (`__typename: "Query"` used to
 *   reach federation's own resolver and fail as an internal error). Refused with BAD_USER_INPUT;
 * - at most GRAPHQL_MAX_REPRESENTATIONS representations, all `_entities` fields of the request together:
 *   more is refused with TOO_MANY_REPRESENTATIONS. That refusal is about a client (one request once asked
 *   for 1,400 people), so the caller is verified and the refusal audited (`disclosure-limit.representations`,
 *   counted rather than written one by one in a flood, see rate-limit/refusal-audit.service.ts).
 */
export function inputHygienePlugin(options: InputHygieneOptions): ApolloServerPlugin<HubRequestContext> {
  const entityTypes = new WeakMap<GraphQLSchema, ReadonlySet<string>>();
  const entityTypesOf = (schema: GraphQLSchema) => {
    let names = entityTypes.get(schema);
    if (!names) {
      const union = schema.getType(ENTITY_UNION);
      names = new Set(isUnionType(union) ? union.getTypes().map((type) => type.name) : []);
      entityTypes.set(schema, names);
    }
    return names;
  };

  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          const inputs = operationInputs(schema, document, operation, request.variables);
          if (!inputs) return;
          for (const text of inputs.texts) {
            const problem = text.problem ?? unsafeTextProblem(text.value, text.mode, text.maxLength);
            if (problem) throw badText(text, problem);
          }
          if (inputs.representations.length === 0) return;
          const known = entityTypesOf(schema);
          inputs.representations.forEach((representation, index) => {
            const typename = (representation as { __typename?: unknown } | null)?.__typename;
            if (
              typeof representation !== 'object' ||
              representation === null ||
              Array.isArray(representation) ||
              typeof typename !== 'string' ||
              !known.has(typename)
            ) {
              throw badInput(
                `_entities: representation ${index} must be an object whose __typename is an entity type (${[...known].join(', ')})`,
                {
                  argument: 'representations',
                  index,
                },
              );
            }
          });
          if (inputs.representations.length > options.maxRepresentations) {
            await refuseRepresentations(options, contextValue, inputs.representations.length);
          }
        },
      };
    },
  };
}

async function refuseRepresentations(
  options: InputHygieneOptions,
  context: HubRequestContext,
  count: number,
): Promise<never> {
  let principal;
  try {
    principal = await options.authenticator.authenticate(context);
  } catch (error) {
    // No verified caller: the sign-in refusal (audited by the authenticator) is the answer.
    throw toGraphqlError(error);
  }
  // The refusal stands without a purpose when the headers declare none; the trail then names none.
  const access = context.declaredAccessOrNone();
  const max = options.maxRepresentations;
  await options.refusals.refuse(
    {
      actor: principal,
      operation: 'disclosure-limit.representations',
      decision: 'deny',
      purpose: access.purpose,
      caseReference: access.caseReference,
      reasons: [`${count} representations sent to _entities in one request; at most ${max} are answered`],
      requestId: context.requestId,
      detail: { representations: count, max },
    },
    {
      key: `${principal.organisation}/${principal.client ?? principal.subject}`,
      reason: 'too-many-representations',
      detail: { max },
    },
  );
  throw new GraphQLError(
    `At most ${max} representations may be sent to _entities in one request (GRAPHQL_MAX_REPRESENTATIONS); this one sent ${count}. Nothing was looked up`,
    {
      extensions: {
        code: TOO_MANY_REPRESENTATIONS,
        domain: true,
        http: { status: 400 },
        details: { representations: count, max },
      },
    },
  );
}

function badText(text: TextInput, problem: string): GraphQLError {
  const where = text.path ? `${text.argument}.${text.path}` : text.argument;
  return badInput(`${text.coordinate}(${where}): ${problem}`, {
    argument: text.argument,
    ...(text.path ? { field: text.path } : {}),
  });
}

function badInput(message: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: BAD_USER_INPUT, domain: true, http: { status: 400 }, details },
  });
}
