import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { ApolloDriverConfig, ApolloFederationDriver } from '@nestjs/apollo';
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { enforceFieldPolicy } from '../engine/policy/field-policy';
import { AuthModule } from '../auth/auth.module';
import { Authenticator } from '../auth/authenticator.service';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { graphqlMetricsPlugin } from '../metrics/graphql-metrics.plugin';
import { HubMetrics } from '../metrics/hub-metrics';
import { RefusalAuditService } from '../rate-limit/refusal-audit.service';
import { HubRequestContext } from '../engine/request-context';
import { GraphqlErrorPassThroughFilter } from './graphql-error.filter';
import { formatGraphqlError, requestIdPlugin } from './graphql-errors';
import { graphqlLimits } from './graphql-limits';
import { inputHygienePlugin } from './input-hygiene.plugin';
import { loadPersistedQueryLists, persistedQueriesPlugin } from './persisted-queries';
import { serviceSdlAccessPlugin } from './service-sdl-access';

/** The federation spec the subgraph SDL links: v2.3 has all the schema uses, and every composition and gateway from 2.3 on reads it. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.3';
/** The federation directives the schema uses (`@Directive` on the models); a new one must be added here. */
export const FEDERATION_DIRECTIVES = ['@key'];

/** Code-first GraphQL at /graphql, also an Apollo Federation 2 subgraph; sandbox and introspection only outside production. */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      // A federation 2 subgraph: partners' gateways can compose it; `_entities` goes through the same
      // guards, policy and audit as every other field.
      driver: ApolloFederationDriver,
      // The persisted-query allow-list and, in production, the SDL's access check authenticate the request
      // themselves (see graphql/persisted-queries.ts and graphql/service-sdl-access.ts).
      imports: [AuthModule],
      inject: [APP_CONFIG, Authenticator, RefusalAuditService, HubMetrics],
      useFactory: (
        config: AppConfig,
        authenticator: Authenticator,
        refusals: RefusalAuditService,
        metrics: HubMetrics,
      ): ApolloDriverConfig => {
        const production = config.nodeEnv === 'production';
        const limits = graphqlLimits(config);
        const persistedQueries = config.graphql.persistedQueriesFile
          ? [
              persistedQueriesPlugin(
                loadPersistedQueryLists(config.graphql.persistedQueriesFile, config.graphql.maxTokens),
                authenticator,
              ),
            ]
          : [];
        return {
          path: '/graphql',
          // The SDL links federation v2.3 and imports only `@key`: the library's default link (v2.14, every
          // directive imported) is refused by gateways and composition older than 2.14, which a partner may run.
          autoSchemaFile: { federation: { version: 2, importUrl: FEDERATION_LINK, directives: FEDERATION_DIRECTIVES } },
          sortSchema: true,
          // Access policy on every field (access/policy): withheld fields are null with WITHHELD_BY_POLICY.
          transformSchema: enforceFieldPolicy,
          // Guards and interceptors also run on field resolvers, so a @ResolveField cannot skip its policy;
          // and the exception filters, so their refusals keep the hub's codes. Federation's `_entities` calls
          // the reference resolvers as field resolvers: without filters a missing purpose, a wrong role or no
          // token reached a partner's gateway as INTERNAL_SERVER_ERROR (masked in production).
          fieldResolverEnhancers: ['guards', 'interceptors', 'filters'],
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
            // Operation times by root field and outcome (docs/monitoring.md).
            graphqlMetricsPlugin(metrics),
            ...persistedQueries,
            // Control characters in text and malformed or too many `_entities` representations, before any resolver.
            inputHygienePlugin({ maxRepresentations: config.graphql.maxRepresentations, authenticator, refusals }),
            // Introspection is off in production; the subgraph SDL (`_service`) is for verified callers there.
            ...(production ? [serviceSdlAccessPlugin(authenticator)] : []),
            // Federation's inline traces would tell any gateway the timings of every field; partners get none.
            ApolloServerPluginInlineTraceDisabled(),
            // No cache hints: nothing the hub answers may be cached (requestIdPlugin says no-store), and the
            // plugin would hook the resolution of every field.
            ApolloServerPluginCacheControlDisabled(),
            ...(production ? [] : [ApolloServerPluginLandingPageLocalDefault({ embed: true })]),
          ] as unknown as ApolloDriverConfig['plugins'],
          formatError: formatGraphqlError(production),
          context: ({ req, res }: { req: Request; res: Response }): HubRequestContext =>
            new HubRequestContext(req, res),
        };
      },
    }),
  ],
  providers: [{ provide: APP_FILTER, useClass: GraphqlErrorPassThroughFilter }],
})
export class HubGraphqlModule {}
