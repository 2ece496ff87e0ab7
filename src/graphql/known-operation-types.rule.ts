import { ASTVisitor, GraphQLError, ValidationContext } from 'graphql';

/**
 * Refuses an operation whose type the schema does not have (the hub has no subscriptions) while
 * validating, with GRAPHQL_VALIDATION_FAILED. graphql-js 16 checks this only when executing, and Apollo
 * reported that failure as an INTERNAL_SERVER_ERROR to any client that sent `subscription { … }`.
 */
export function KnownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (!schema.getRootType(node.operation)) {
        context.reportError(new GraphQLError(`This API has no ${node.operation} operations`, { nodes: node }));
      }
    },
  };
}
