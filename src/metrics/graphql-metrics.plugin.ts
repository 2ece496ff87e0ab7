import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLSchema, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { GraphqlOutcome, HubMetrics } from './hub-metrics';
import { activeSpan } from './hub-tracing';

/** Meta fields a document may select at the root; they are the schema's, whatever the client asks. */
const metaFields = new Set(['__schema', '__type']);

/**
 * Times each GraphQL operation and counts the codes of the errors it answered with, labelled by what it
 * asked of the schema: the root field it selected (`person`, `searchPeople`, `_entities`), `multiple` for
 * several, `other` when it named none the schema has (a document that did not parse or validate). The
 * operation's own name is the client's choice, and so is never a label. When tracing is on, the same
 * label and outcome go on the request's span.
 */
export function graphqlMetricsPlugin(metrics: HubMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      let operation: string | undefined;
      return {
        async didResolveOperation({ operation: resolved, document, schema }) {
          operation = rootFieldLabel(schema, document, resolved);
        },
        async willSendResponse({ response, document, schema, operationName }) {
          operation ??= document
            ? rootFieldLabel(schema, document, pick(document, operationName ?? undefined))
            : 'other';
          const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
          const errors = result?.errors ?? [];
          const outcome: GraphqlOutcome = errors.length === 0 ? 'ok' : result?.data ? 'partial' : 'error';
          const codes = errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
          metrics.graphqlOperation(operation, outcome, (performance.now() - started) / 1000, codes);
          const span = activeSpan();
          span?.setAttribute('hub.graphql.operation', operation);
          span?.setAttribute('hub.graphql.outcome', outcome);
        },
      };
    },
  };
}

/** The label of an operation: its one root field of the schema, `multiple`, or `other`. */
export function rootFieldLabel(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode | null | undefined,
): string {
  if (!operation) return 'other';
  const root = schema.getRootType(operation.operation);
  if (!root) return 'other';
  const known = root.getFields();
  const names = new Set<string>();
  collectRootFields(document, operation.selectionSet, names, new Set());
  names.delete('__typename');
  if (names.size === 0) return 'other';
  if (names.size > 1) return 'multiple';
  const [name] = names;
  return known[name] || metaFields.has(name) ? name : 'other';
}

/** Root fields, through inline fragments and fragment spreads (each fragment once: a cycle does not validate). */
function collectRootFields(
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  names: Set<string>,
  seen: Set<string>,
): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) names.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) collectRootFields(document, selection.selectionSet, names, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) collectRootFields(document, fragment.selectionSet, names, seen);
    }
  }
}

/** The operation a document would run: the named one, or its only one. */
function pick(document: DocumentNode, name: string | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return name ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
}
