import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriverConfig, ApolloFederationDriver } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { enforceFieldPolicy } from '../access/policy/field-policy';
import { AuthModule } from '../auth/auth.module';
import { Authenticator } from '../auth/authenticator.service';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { GraphqlContext } from './graphql-context';
import { formatGraphqlError, requestIdPlugin } from './graphql-errors';
import { graphqlLimits } from './graphql-limits';
import { loadPersistedQueryLists, persistedQueriesPlugin } from './persisted-queries';

/** Code-first GraphQL at /graphql, also an Apollo Federation 2 subgraph; sandbox and introspection only outside production. */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      // A federation 2 subgraph: partners' gateways can compose it; `_entities` goes through the same
      // guards, policy and audit as every other field.
      driver: ApolloFederationDriver,
      // The persisted-query allow-list authenticates the request itself (see graphql/persisted-queries.ts).
      imports: [AuthModule],
      inject: [APP_CONFIG, Authenticator],
      useFactory: (config: AppConfig, authenticator: Authenticator): ApolloDriverConfig => {
        const production = config.nodeEnv === 'production';
        const limits = graphqlLimits(config);
        const persistedQueries = config.graphql.persistedQueriesFile
          ? [persistedQueriesPlugin(loadPersistedQueryLists(config.graphql.persistedQueriesFile, config.graphql.maxTokens), authenticator)]
          : [];
        return {
          path: '/graphql',
          autoSchemaFile: { federation: 2 },
          sortSchema: true,
          // Access policy on every field (access/policy): withheld fields are null with WITHHELD_BY_POLICY.
          transformSchema: enforceFieldPolicy,
          // Guards and interceptors also run on field resolvers, so a @ResolveField cannot skip its policy.
          fieldResolverEnhancers: ['guards', 'interceptors'],
          playground: false,
          introspection: !production,
          // Stacks go to the log, never to a client.
          includeStacktraceInErrorResponses: false,
          validationRules: limits.validationRules,
          parseOptions: limits.parseOptions,
          // @nestjs/apollo loads the ESM build of @apollo/server and this file the CommonJS one; plugins are
          // plain objects, so only their declared types differ.
          plugins: [
            ...(limits.plugins ?? []),
            requestIdPlugin,
            ...persistedQueries,
            // Federation's inline traces would tell any gateway the timings of every field; partners get none.
            ApolloServerPluginInlineTraceDisabled(),
            // No cache hints: nothing the hub answers may be cached (requestIdPlugin says no-store), and the
            // plugin would hook the resolution of every field.
            ApolloServerPluginCacheControlDisabled(),
            ...(production ? [] : [ApolloServerPluginLandingPageLocalDefault({ embed: true })]),
          ] as unknown as ApolloDriverConfig['plugins'],
          formatError: formatGraphqlError(production),
          context: ({ req, res }: { req: Request; res: Response }): GraphqlContext => ({
            req,
            res,
            requestId: String((req as { id?: unknown }).id ?? ''),
          }),
        };
      },
    }),
  ],
})
export class HubGraphqlModule {}
