import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, FragmentDefinitionNode, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { Authenticator } from '../auth/authenticator.service';
import { HubRequestContext } from '../engine/request-context';
import { toGraphqlError } from './graphql-errors';

/** The federation root field that answers the whole subgraph SDL. */
export const SERVICE_FIELD = '_service';

/**
 * Whether the operation asks for `_service`, directly, under an alias, or through fragments on Query.
 * Validation has run by then, so fragments exist and do not cycle; `seen` is only a safeguard.
 */
export function selectsServiceField(operation: OperationDefinitionNode, document: DocumentNode): boolean {
  if (operation.operation !== 'query') return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const seen = new Set<string>();
  const visit = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === SERVICE_FIELD;
      if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
      const name = selection.name.value;
      if (seen.has(name)) return false;
      seen.add(name);
      const fragment = fragments.get(name);
      return !!fragment && visit(fragment.selectionSet);
    });
  return visit(operation.selectionSet);
}

/**
 * In production the subgraph SDL is for verified callers only. Introspection is off there, but federation's
 * `_service { sdl }` answers the whole schema (every type, field and description) to anyone, and it is not
 * a Nest resolver, so the global guard never sees it. A partner's gateway composes with its machine token;
 * an anonymous caller gets UNAUTHENTICATED, which auth's status plugin answers with HTTP 401.
 */
export function serviceSdlAccessPlugin(authenticator: Authenticator): ApolloServerPlugin<HubRequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation || !selectsServiceField(operation, document)) return;
          try {
            await authenticator.authenticate(contextValue);
          } catch (error) {
            throw toGraphqlError(error);
          }
        },
      };
    },
  };
}
