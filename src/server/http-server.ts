import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { GraphQLSchema, specifiedRules, validate } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { AppError, formatError } from '../errors';
import { Logger } from '../log';
import { Viewer } from '../services/auth.service';
import { Services } from '../services/services';
import { Context, createContext } from './context';
import { depthLimit } from './query-limits';
import { playgroundHandler } from './playground';
import { ATTACHMENTS_PATH, attachmentsRoute } from './attachments.route';

export const GRAPHQL_PATH = '/graphql';
const MAX_QUERY_DEPTH = 10;

export interface RunningServer {
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  port: number;
  httpServer: Server;
  /** Stops accepting, drains requests, closes sockets. */
  stop(): Promise<void>;
}

type SocketExtra = { viewer?: Viewer };

/**
 * One port, one path: Apollo Server answers HTTP on /graphql, graphql-ws answers WebSocket
 * upgrades on the same path, and the playground is served to browsers from installed packages.
 */
export async function startServer(options: {
  services: Services;
  schema: GraphQLSchema;
  port: number;
  logger: Logger;
  host?: string;
}): Promise<RunningServer> {
  const { services, schema, logger } = options;
  const development = services.config.nodeEnv === 'development';
  const app = express();
  const httpServer = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });
  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      validate: (schema, document) => validate(schema, document, [...specifiedRules, depthLimit(MAX_QUERY_DEPTH)]),
      // Authentication happens once, at connection_init; a refused socket is closed with 4401.
      onConnect: async (ctx) => {
        const authorization = ctx.connectionParams?.authorization;
        try {
          ctx.extra.viewer = await services.auth.authenticate(typeof authorization === 'string' ? authorization : null);
        } catch {
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Unauthorized');
          return false;
        }
        closeAtExpiry(ctx.extra.viewer, ctx.extra.socket);
        return true;
      },
      context: (ctx): Context => createContext(services, ctx.extra.viewer ?? { user: null, tokenExpiresAt: null }),
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) logger.debug(`subscription error: ${error.message}`);
      },
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    validationRules: [depthLimit(MAX_QUERY_DEPTH)],
    includeStacktraceInErrorResponses: development,
    formatError: (formatted, error) => formatError(formatted, error, development),
    plugins: [
      // Apollo's own landing page loads from a CDN; ours (playground.ts) is served from installed packages.
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
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
  app.post(ATTACHMENTS_PATH, attachmentsRoute(services, logger));
  app.get(GRAPHQL_PATH, playgroundHandler());
  app.use(
    GRAPHQL_PATH,
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      // A refused token fails the fields that need a user, not the request: introspection still works.
      context: async ({ req }) => createContext(services, await viewerOf(services, req.headers.authorization)),
    }),
  );

  await new Promise<void>((resolve) => httpServer.listen(options.port, options.host ?? '0.0.0.0', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${GRAPHQL_PATH}`,
    port,
    httpServer,
    stop: async () => {
      // Apollo's drain plugin stops accepting, waits for requests and closes the sockets.
      for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
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

/** Closes a socket when its token expires, so a connection never outlives its credentials. */
function closeAtExpiry(viewer: Viewer, socket: WebSocket): void {
  if (!viewer.tokenExpiresAt) return;
  const delay = viewer.tokenExpiresAt.getTime() - Date.now();
  // setTimeout overflows past ~24.8 days; such a token is checked again when the client reconnects.
  if (delay >= 2 ** 31 - 1) return;
  const timer = setTimeout(() => socket.close(CloseCode.Unauthorized, 'Token expired'), Math.max(0, delay));
  socket.once('close', () => clearTimeout(timer));
}
