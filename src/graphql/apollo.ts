import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { GraphQLSchema, ValidationRule } from 'graphql';
import { Server } from 'node:http';
import { formatError } from './graphql-errors';
import { Logger } from '../log';
import { Context } from './context';
import { CSRF_PREVENTION, refuseSubscriptionsOverHttp } from './graphql-over-http';
import { QUERY_PARSE_OPTIONS } from './limits/operation-limits';
import { operationLogPlugin } from './operation-log.plugin';
import { OperationMetrics } from './operation-report';

export interface ApolloOptions {
  schema: GraphQLSchema;
  /** The same rules as the WebSocket's (limits, and introspection when the playground is off). */
  validationRules: readonly ValidationRule[];
  logger: Logger;
  metrics: OperationMetrics;
  development: boolean;
  /** Run when Apollo drains: ends the WebSocket side with it. */
  drainSockets(): Promise<void>;
}

/** Starts Apollo Server for HTTP on `httpServer`; its `stop()` drains requests, then the sockets. */
export async function startApollo(httpServer: Server, options: ApolloOptions): Promise<ApolloServer<Context>> {
  const { development } = options;
  const apollo = new ApolloServer<Context>({
    schema: options.schema,
    // Introspection is governed by validationRules, the same list as the WebSocket's.
    introspection: true,
    parseOptions: QUERY_PARSE_OPTIONS,
    validationRules: [...options.validationRules],
    csrfPrevention: CSRF_PREVENTION,
    includeStacktraceInErrorResponses: development,
    formatError: (formatted, error) => formatError(formatted, error, development),
    plugins: [
      // Apollo's own landing page loads from a CDN; ours (playground.ts) is served from installed packages.
      ApolloServerPluginLandingPageDisabled(),
      // The API sets no cache hints; Apollo's default cache-control plugin would still wrap every
      // field's resolver to compute them (per field of every node: ~8% of a page's CPU).
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      refuseSubscriptionsOverHttp(),
      operationLogPlugin(options.logger, options.metrics),
      {
        async serverWillStart() {
          return { drainServer: options.drainSockets };
        },
      },
    ],
  });
  await apollo.start();
  return apollo;
}
