import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLSchema, specifiedRules, validate } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { AppError, formatError } from '../errors';
import { Logger } from '../log';
import { Viewer } from '../services/auth.service';
import { Services } from '../services/services';
import { Context, createContext } from './context';
import { costLimit, depthLimit } from './query-limits';
import { playgroundHandler } from './playground';
import { ATTACHMENTS_PATH, attachmentsRoute } from './attachments.route';
import { WS_CLOSE_REASONS, WsCloseCode } from './ws-close-codes';
import { METRICS_PATH, Metrics } from './metrics';
import { contextOrInternalError, operationLogPlugin } from './operation-log.plugin';
import { requestIdMiddleware, requestIdOf } from './request-id';
import { WsOperationsExtra, wsOperationHooks, wsRequestId } from './ws-operations';

export const GRAPHQL_PATH = '/graphql';
const MAX_QUERY_DEPTH = 10;
/** About seven times the costliest operation in operations/ (a page of 200 deletions with every field). */
export const MAX_QUERY_COST = 50_000;
const QUERY_LIMITS = [depthLimit(MAX_QUERY_DEPTH), costLimit(MAX_QUERY_COST)];

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

type SocketExtra = WsOperationsExtra;

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
  host?: string;
  /** Whether events can be delivered now; when false, new sockets are closed with 1013 Try Again Later. */
  eventsLive?: () => boolean;
}): Promise<RunningServer> {
  const { services, schema, logger, metrics } = options;
  const development = services.config.nodeEnv === 'development';
  const app = express();
  app.use(requestIdMiddleware);
  const httpServer = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      validate: (schema, document) => validate(schema, document, [...specifiedRules, ...QUERY_LIMITS]),
      // Authentication happens once, at connection_init: a socket without a valid token is closed
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
      context: (ctx, id): Context =>
        createContext(services, ctx.extra.viewer ?? { user: null, tokenExpiresAt: null }, wsRequestId(ctx.extra, id)),
      ...wsOperationHooks(logger, metrics, development),
      // Outside development a failing hook closes the socket with "Internal server error", not its message.
      isProd: !development,
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    validationRules: QUERY_LIMITS,
    includeStacktraceInErrorResponses: development,
    formatError: (formatted, error) => formatError(formatted, error, development),
    plugins: [
      // Apollo's own landing page loads from a CDN; ours (playground.ts) is served from installed packages.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
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
  app.get(GRAPHQL_PATH, playgroundHandler());
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      // A refused token fails the fields that need a user, not the request: introspection still works.
      context: async ({ req, res }) =>
        contextOrInternalError(requestIdOf(res), logger, metrics, async () =>
          createContext(services, await viewerOf(services, req.headers.authorization), requestIdOf(res)),
        ),
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(options.port, options.host ?? '0.0.0.0', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${GRAPHQL_PATH}`,
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
