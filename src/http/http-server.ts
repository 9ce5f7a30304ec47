import express from 'express';
import { GraphQLSchema, NoSchemaIntrospectionCustomRule, ValidationRule } from 'graphql';
import { createServer, Server } from 'node:http';
import { AddressInfo, isIPv6 } from 'node:net';
import { WebSocketServer } from 'ws';
import { Logger } from '../log';
import { Services } from '../domain/services';
import { startApollo } from '../graphql/apollo';
import { answerParserErrors } from './http-errors';
import { listenOrStop } from './listen';
import { Metrics } from './metrics';
import { QUERY_LIMIT_RULES } from '../graphql/limits/operation-limits';
import { requestIdMiddleware } from './request-id';
import { mountRoutes } from './routes';
import { DemoAccess } from '../ui/demo-access';
import { serveGraphqlWs } from '../ws/websocket';
import { WS_CLOSE_REASONS, WsCloseCode } from '../ws/ws-close-codes';

const GRAPHQL_PATH = '/graphql';

export interface RunningServer {
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  port: number;
  httpServer: Server;
  /** Closes every open WebSocket of this process with `code` (e.g. to make clients reconnect and refetch). */
  closeSockets(code: WsCloseCode, reason?: string): void;
  /** Stops accepting, drains requests, closes sockets with 1001 Going Away. */
  stop(): Promise<void>;
}

export interface ServerOptions {
  services: Services;
  schema: GraphQLSchema;
  port: number;
  logger: Logger;
  metrics: Metrics;
  /** Whether events can be delivered now; when false, new sockets are closed with 1013 Try Again Later. */
  eventsLive?: () => boolean;
  /** Demo tokens for the console and the playground; the development start's only (app.ts). */
  demo?: DemoAccess;
}

/**
 * One port, one path: Apollo Server answers HTTP on /graphql (apollo.ts, routes.ts), graphql-ws
 * answers WebSocket upgrades on the same path (websocket.ts), and the playground is served to
 * browsers from installed packages.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { services, schema, logger, metrics } = options;
  const development = services.config.nodeEnv === 'development';
  const validationRules = validationRulesFor(services.config.playground);
  const app = express();
  // Express hashes every response body for an ETag; GraphQL answers POSTs, which no cache revalidates.
  app.set('etag', false);
  // No advertising of the framework to whoever probes the API.
  app.disable('x-powered-by');
  app.use(requestIdMiddleware);
  const httpServer = createServer(app);
  answerParserErrors(httpServer);

  const sockets = serveGraphqlWs(httpServer, GRAPHQL_PATH, { ...options, validationRules, development });
  const apollo = await startApollo(httpServer, {
    schema,
    validationRules,
    logger,
    metrics,
    development,
    drainSockets: sockets.dispose,
  });
  metrics.countSocketsWith(() => sockets.wsServer.clients.size);
  mountRoutes(app, { services, apollo, logger, metrics, graphqlPath: GRAPHQL_PATH, demo: options.demo });

  await listenOrStop(httpServer, options.port, services.config.host, () => apollo.stop());
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${urlHost(services.config.host)}:${port}${GRAPHQL_PATH}`,
    port,
    httpServer,
    closeSockets: (code, reason = WS_CLOSE_REASONS[code]) => closeAll(sockets.wsServer, code, reason),
    stop: async () => {
      // Apollo's drain plugin stops accepting, waits for requests and closes the sockets.
      closeAll(sockets.wsServer, WsCloseCode.GoingAway, WS_CLOSE_REASONS[WsCloseCode.GoingAway]);
      await apollo.stop();
      await new Promise<void>((resolve) => sockets.wsServer.close(() => resolve()));
    },
  };
}

/** Without the playground the schema is not shown either (production's default), on both transports. */
function validationRulesFor(playground: boolean): readonly ValidationRule[] {
  return playground ? QUERY_LIMIT_RULES : [...QUERY_LIMIT_RULES, NoSchemaIntrospectionCustomRule];
}

function closeAll(wsServer: WebSocketServer, code: WsCloseCode, reason: string): void {
  for (const client of wsServer.clients) client.close(code, reason);
}

/** Where a client on this machine reaches a server bound to `host`. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIPv6(host) ? `[${host}]` : host;
}
