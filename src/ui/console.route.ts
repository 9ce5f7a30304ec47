import express, { RequestHandler, Router } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../errors';
import { Services } from '../domain/services';
import { sendJsonError } from '../http/http-errors';
import { consoleVendorRouter } from './console-vendor';
import { DemoAccess } from './demo-access';
import { inlineScriptsOf, setPageSecurityHeaders } from './page-security';

export const CONSOLE_PATH = '/console';

/**
 * The reference admin console (console/, docs/console.md): its page and stylesheet from console/,
 * its compiled modules from dist/console/, and the two browser packages it imports (graphql-ws's
 * client, graphql's printer) straight from node_modules, so nothing comes from a CDN.
 */
export function consoleRouter(services: Services, demoUsers?: DemoAccess['users']): Router {
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
  // The console signs in at the issuer and renews there: its fetches go to the issuer's origin too.
  const issuer = consoleIssuer(services);
  router.get('/', (_req, res) => {
    setPageSecurityHeaders(res, { inlineScripts, connectTo: issuer ? [new URL(issuer.issuer).origin] : [] });
    res.set('Cache-Control', 'no-cache').sendFile(page);
  });
  router.use('/static', files(path.join(root, 'console/static')));
  router.use('/app', files(path.join(root, 'dist/console')));
  router.use('/vendor', consoleVendorRouter());
  // Tokens for anyone who asks: given by the development start only, where nobody owns the demo users.
  if (demoUsers) router.get('/demo-users', demoUsersRoute(demoUsers));
  // Where the console signs in by Authorization Code + PKCE (docs/identity.md); 404 without an issuer.
  router.get('/auth-config', (_req, res) => {
    if (!issuer) return sendJsonError(res, 404, ErrorCode.NOT_FOUND, 'No identity provider is configured.');
    res.set('Cache-Control', 'no-store').json(issuer);
  });
  return router;
}

/** The issuer, console client and audience when AUTH_ISSUER and AUTH_CONSOLE_CLIENT_ID are set. */
function consoleIssuer(services: Services): { issuer: string; clientId: string; audience: string } | undefined {
  const oidc = services.config.oidc;
  if (!oidc?.consoleClientId) return undefined;
  return { issuer: oidc.issuer, clientId: oidc.consoleClientId, audience: oidc.audience };
}

function revalidate(res: express.Response): void {
  res.set({ 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' });
}

/** The demo users that exist in this database, each with a fresh token. */
function demoUsersRoute(demoUsers: NonNullable<DemoAccess['users']>): RequestHandler {
  return async (_req, res, next) => {
    try {
      res.set('Cache-Control', 'no-store').json(await demoUsers());
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
