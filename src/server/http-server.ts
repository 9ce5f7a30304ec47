import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLSchema, NoSchemaIntrospectionCustomRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, Server } from 'node:http';
import { AddressInfo, isIPv6 } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { AppError } from '../errors';
import { Logger } from '../log';
import { Viewer } from '../services/domain-types';
import { Services } from '../services/services';
import { Context, createContext } from './context';
import { formatError } from './graphql-errors';
import { limitedOperation, QUERY_LIMIT_RULES, QUERY_PARSE_OPTIONS } from './operation-limits';
import { playgroundHandler } from './playground';
import { ATTACHMENTS_PATH, attachmentsRoute } from './attachments.route';
import { WS_CLOSE_REASONS, WsCloseCode } from './ws-close-codes';
import { CSRF_PREVENTION, refuseSubscriptionsOverHttp } from './graphql-over-http';
import { answerParserErrors, jsonErrorHandler, MAX_REQUEST_BYTES, notFoundHandler } from './http-errors';
import { listenOrStop } from './listen';
import { SocketExtra, socketAuthHooks } from './socket-auth';
import { METRICS_PATH, Metrics } from './metrics';
import { contextOrInternalError, operationLogPlugin } from './operation-log.plugin';
import { requestIdMiddleware, requestIdOf } from './request-id';
import { wsOperationHooks } from './ws-operations';

export const GRAPHQL_PATH = '/graphql';

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

/**
 * One port, one path: Apollo Server answers HTTP on /graphql, graphql-ws answers WebSocket
 * upgrades on the same path, and the playground is served to browsers from installed packages.
 */
export async function startServer(options: {
  services: Services;
  schema: GraphQLSchema;
  port: number;
  logger: Logger;
  metrics: Metrics;
  /** Whether events can be delivered now; when false, new sockets are closed with 1013 Try Again Later. */
  eventsLive?: () => boolean;
}): Promise<RunningServer> {
  const { services, schema, logger, metrics } = options;
  const development = services.config.nodeEnv === 'development';
  // Without the playground the schema is not shown either (production's default), on both transports.
  const validationRules = services.config.playground
    ? [...QUERY_LIMIT_RULES]
    : [...QUERY_LIMIT_RULES, NoSchemaIntrospectionCustomRule];
  const app = express();
  app.use(requestIdMiddleware);
  const httpServer = createServer(app);
  answerParserErrors(httpServer);

  // Not `server: httpServer`: ws would re-emit a failed listen (port in use) as its own error, which
  // graphql-ws prints as an "internal error" dump before startServer can report it in one line.
  // Frames are read before connection_init authenticates anyone: cap them like HTTP bodies (1009 above it).
  const wsServer = new WebSocketServer({ noServer: true, path: GRAPHQL_PATH, maxPayload: MAX_REQUEST_BYTES });
  httpServer.on('upgrade', (req, socket, head) =>
    wsServer.handleUpgrade(req, socket, head, (ws) => wsServer.emit('connection', ws, req)),
  );
  const socketAuth = socketAuthHooks(services, limitedOperation(schema, validationRules));
  const operationReports = wsOperationHooks<SocketExtra>(logger, metrics, development);
  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      // The token is checked once, at connection_init: a socket without a valid token is closed
      // with 4401, which graphql-ws clients treat as fatal (no retry loop with a bad token).
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        const viewer = await viewerOf(services, typeof authorization === 'string' ? authorization : undefined);
        if (!viewer.user) return closeWith(ctx.extra.socket, WsCloseCode.Unauthorized);
        if (options.eventsLive && !options.eventsLive()) return closeWith(ctx.extra.socket, WsCloseCode.TryAgainLater);
        ctx.extra.viewer = viewer;
        closeAtExpiry(viewer, ctx.extra.socket);
        return true;
      },
      // The user is read again for every operation and the subscriber for every event; an operation
      // from a user still allowed is then parsed and validated with the same limits as HTTP.
      ...operationReports,
      onSubscribe: async (ctx, id, payload) => {
        await operationReports.onSubscribe?.(ctx, id, payload);
        return socketAuth.onSubscribe(ctx, id, payload);
      },
      context: socketAuth.context,
      // Outside development a failing hook closes the socket with "Internal server error", not its message.
      isProd: !development,
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    // Introspection is governed by validationRules, the same list as the WebSocket's.
    introspection: true,
    parseOptions: QUERY_PARSE_OPTIONS,
    validationRules,
    csrfPrevention: CSRF_PREVENTION,
    includeStacktraceInErrorResponses: development,
    formatError: (formatted, error) => formatError(formatted, error, development),
    plugins: [
      // Apollo's own landing page loads from a CDN; ours (playground.ts) is served from installed packages.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      refuseSubscriptionsOverHttp(),
      operationLogPlugin(logger, metrics),
      {
        async serverWillStart() {
          return {
            async drainServer() {
              await wsCleanup.dispose();
            },
          };
        },
      },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await services.db.rows('SELECT 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  metrics.countSocketsWith(() => wsServer.clients.size);
  app.get(METRICS_PATH, metrics.handler);
  app.post(ATTACHMENTS_PATH, attachmentsRoute(services, logger));
  app.get(GRAPHQL_PATH, playgroundHandler(services.config.playground));
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: MAX_REQUEST_BYTES }),
    expressMiddleware(apollo, {
      // A refused token fails the fields that need a user, not the request: introspection still works.
      context: async ({ req, res }) =>
        contextOrInternalError(requestIdOf(res), logger, metrics, async () =>
          createContext(services, await viewerOf(services, req.headers.authorization), { requestId: requestIdOf(res) }),
        ),
    }),
  );

  // Last: what no route above answered, and every error, as JSON (http-errors.ts).
  app.use(notFoundHandler, jsonErrorHandler(logger));

  await listenOrStop(httpServer, options.port, services.config.host, () => apollo.stop());
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://${urlHost(services.config.host)}:${port}${GRAPHQL_PATH}`,
    port,
    httpServer,
    closeSockets: (code, reason = WS_CLOSE_REASONS[code]) => {
      for (const client of wsServer.clients) client.close(code, reason);
    },
    stop: async () => {
      // Apollo's drain plugin stops accepting, waits for requests and closes the sockets.
      for (const client of wsServer.clients)
        client.close(WsCloseCode.GoingAway, WS_CLOSE_REASONS[WsCloseCode.GoingAway]);
      await apollo.stop();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** Where a client on this machine reaches a server bound to `host`. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIPv6(host) ? `[${host}]` : host;
}

async function viewerOf(services: Services, authorization: string | undefined): Promise<Viewer> {
  try {
    return await services.auth.authenticate(authorization);
  } catch (error) {
    if (error instanceof AppError) return { user: null, tokenExpiresAt: null, authError: error };
    throw error;
  }
}

/** Closes a socket before graphql-ws acknowledges it; `false` tells graphql-ws the connection is refused. */
function closeWith(socket: WebSocket, code: WsCloseCode): false {
  socket.close(code, WS_CLOSE_REASONS[code]);
  return false;
}

/** Closes a socket when its token expires, so a connection never outlives its credentials. */
function closeAtExpiry(viewer: Viewer, socket: WebSocket): void {
  if (!viewer.tokenExpiresAt) return;
  const delay = viewer.tokenExpiresAt.getTime() - Date.now();
  // setTimeout overflows past ~24.8 days; such a token is checked again when the client reconnects.
  if (delay >= 2 ** 31 - 1) return;
  const timer = setTimeout(() => socket.close(WsCloseCode.Unauthorized, 'Token expired'), Math.max(0, delay));
  socket.once('close', () => clearTimeout(timer));
}
