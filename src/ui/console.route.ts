import express, { RequestHandler, Router } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_USERS } from '../demo/demo-seed';
import { ErrorCode } from '../errors';
import { Services } from '../domain/services';
import { sendJsonError } from '../http/http-errors';
import { inlineScriptsOf, setPageSecurityHeaders } from './page-security';

export const CONSOLE_PATH = '/console';

/**
 * The reference admin console (console/, docs/console.md): its page and stylesheet from console/,
 * its compiled modules from dist/console/, and the two browser packages it imports (graphql-ws's
 * client, graphql's printer) straight from node_modules, so nothing comes from a CDN.
 */
export function consoleRouter(services: Services): Router {
  const router = express.Router();
  if (!services.config.console) {
    router.use((_req, res) => {
      const message =
        'The admin console is disabled on this server (production); set CONSOLE_ENABLED=true to serve it.';
      sendJsonError(res, 404, ErrorCode.NOT_FOUND, message);
    });
    return router;
  }
  const root = projectRoot();
  // Pages and modules are revalidated on every load (ETag → 304): their names carry no version.
  const files = (folder: string) => express.static(folder, { index: false, setHeaders: revalidate });
  const page = path.join(root, 'console/index.html');
  // The import map is the page's one inline script: allowed by its hash, read once.
  const inlineScripts = inlineScriptsOf(readFileSync(page, 'utf8'));
  router.get('/', (_req, res) => {
    setPageSecurityHeaders(res, { inlineScripts });
    res.set('Cache-Control', 'no-cache').sendFile(page);
  });
  router.use('/static', files(path.join(root, 'console/static')));
  router.use('/app', files(path.join(root, 'dist/console')));
  router.use('/vendor/graphql-ws', files(path.dirname(require.resolve('graphql-ws/client'))));
  router.use('/vendor/graphql', files(path.dirname(require.resolve('graphql/package.json'))));
  // Tokens for anyone who asks: development only, where the demo users exist and nobody owns them.
  if (services.config.nodeEnv === 'development') router.get('/demo-users', demoUsers(services));
  return router;
}

function revalidate(res: express.Response): void {
  res.set({ 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
}

/** The demo users that exist in this database, each with a fresh token. */
function demoUsers(services: Services): RequestHandler {
  return async (_req, res, next) => {
    try {
      const listed = [];
      for (const [workspace, users] of Object.entries(DEMO_USERS)) {
        for (const { name, email, role } of users) {
          const user = await services.users.byEmail(email);
          if (user) listed.push({ workspace, name, email, role, token: services.auth.sign(user.id) });
        }
      }
      res.set('Cache-Control', 'no-store').json(listed);
    } catch (error) {
      next(error);
    }
  };
}

/** The folder with package.json: the repository, whether this file runs from src/ (tests) or dist/src/. */
function projectRoot(): string {
  let folder = __dirname;
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`console: no package.json above ${__dirname}`);
    folder = parent;
  }
  return folder;
}
