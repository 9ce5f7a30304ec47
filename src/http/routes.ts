import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { Express } from 'express';
import { Logger } from '../log';
import { Services } from '../domain/services';
import { attachmentDownloadRoute } from './attachment-download.route';
import { ATTACHMENTS_PATH, attachmentsRoute } from './attachments.route';
import { deletionExportHeadRoute, deletionExportRoute } from './deletion-export.route';
import { deletionReceiptRoute, JWKS_PATH, jwksRoute } from './receipts.route';
import { REMOVED_LIST_PATH, removedListRoute } from './removed-list.route';
import { Context, createContext } from '../graphql/context';
import { corsMiddleware } from './cors';
import { jsonErrorHandler, MAX_REQUEST_BYTES, notFoundHandler } from './http-errors';
import { METRICS_PATH, Metrics, metricsAccess } from './metrics';
import { CONSOLE_PATH, consoleRouter } from '../ui/console.route';
import { DemoAccess } from '../ui/demo-access';
import { contextOrInternalError } from '../graphql/operation-log.plugin';
import { playgroundHandler } from '../ui/playground';
import { PLAYGROUND_ASSETS_PATH, playgroundAssetsHandler } from '../ui/playground-assets';
import { requestIdOf } from './request-id';
import { viewerOf } from './viewer';

export interface RouteOptions {
  services: Services;
  apollo: ApolloServer<Context>;
  logger: Logger;
  metrics: Metrics;
  /** Where GraphQL is answered (POST, GET) and the playground is served (browsers). */
  graphqlPath: string;
  /** Demo tokens for the console and the playground; the development start's only. */
  demo?: DemoAccess;
}

/** Every HTTP route: probes, metrics, uploads, downloads, exports, the console, the playground and GraphQL, then JSON. */
export function mountRoutes(app: Express, options: RouteOptions): void {
  const { services, apollo, logger, metrics, graphqlPath, demo } = options;
  // By prefix, so every route under these paths (downloads, exports) answers browsers on other origins.
  app.use([graphqlPath, ATTACHMENTS_PATH, '/deletions'], corsMiddleware(services.config.corsOrigins));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await services.db.rows('SELECT 1');
      if (services.auth.issuer && !services.auth.issuer.verifier.keys.obtained) {
        res.status(503).json({ status: 'no key obtained from the identity provider (AUTH_ISSUER) yet' });
        return;
      }
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  app.get(METRICS_PATH, metricsAccess(services.config), metrics.handler);
  app.post(ATTACHMENTS_PATH, attachmentsRoute(services, logger));
  // Express answers HEAD with the GET route; it sends the headers only.
  app.get(`${ATTACHMENTS_PATH}/:id`, attachmentDownloadRoute(services, logger));
  // Before the GET, which express would otherwise run for HEAD too: a HEAD builds no ZIP.
  app.head('/deletions/:id/export', deletionExportHeadRoute(services, logger));
  app.get('/deletions/:id/export', deletionExportRoute(services, logger));
  app.get('/deletions/:id/receipt', deletionReceiptRoute(services, logger));
  app.get(JWKS_PATH, jwksRoute(services, logger));
  app.get(REMOVED_LIST_PATH, removedListRoute(services, logger));
  app.use(CONSOLE_PATH, consoleRouter(services, demo?.users));
  app.get(graphqlPath, playgroundHandler(services, demo?.adminToken));
  app.get(`${PLAYGROUND_ASSETS_PATH}/:hash/:file`, playgroundAssetsHandler(services.config.playground));
  app.use(
    graphqlPath,
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
}
