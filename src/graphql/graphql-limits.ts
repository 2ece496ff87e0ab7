import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloDriverConfig } from '@nestjs/apollo';
import { AppConfig } from '../config/config';
import { KnownOperationTypesRule } from './known-operation-types.rule';

/**
 * Limits checked while validating a query, so an abusive query is refused before any resolver (and so
 * any source system or audit write) runs: depth, aliases, cost and directives (graphql-armor), and tokens
 * (graphql-js's parser).
 * In production, "did you mean" field suggestions are removed too, so the schema cannot be guessed.
 */
export function graphqlLimits(
  config: AppConfig,
): Pick<ApolloDriverConfig, 'plugins' | 'validationRules' | 'parseOptions'> {
  const { plugins, validationRules } = new ApolloArmor({
    maxDepth: { n: config.graphql.maxDepth, ignoreIntrospection: true, flattenFragments: true },
    maxAliases: { n: config.graphql.maxAliases },
    costLimit: {
      maxCost: config.graphql.maxCost,
      objectCost: 2,
      scalarCost: 1,
      depthCostFactor: 1.5,
      ignoreIntrospection: true,
    },
    // Token counting is done by graphql-js's own parser (parseOptions below): armor's version parses the
    // query a second time and turns a syntax error into an HTTP 500.
    maxTokens: { enabled: false },
    maxDirectives: { n: 50 },
    blockFieldSuggestion: { enabled: config.nodeEnv === 'production' },
  }).protect();
  return {
    plugins: plugins as unknown as ApolloDriverConfig['plugins'],
    // With the limits, as a client's mistake: a subscription (the hub has none) once failed as an internal error.
    validationRules: [...validationRules, KnownOperationTypesRule],
    parseOptions: { maxTokens: config.graphql.maxTokens },
  };
}
