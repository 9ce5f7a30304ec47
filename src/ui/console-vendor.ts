import express, { RequestHandler } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The browser modules the console imports from installed packages (console/index.html's import
 * map), each with every module it imports in turn, found by following its relative `import … from
 * './x.js'` statements. Only these files are served under /console/vendor/: not the rest of the
 * packages, not their package.json.
 */
const ENTRY_POINTS: Record<string, { folder: () => string; entry: string }> = {
  'graphql-ws': { folder: () => path.dirname(require.resolve('graphql-ws/client')), entry: 'client.js' },
  graphql: { folder: () => path.dirname(require.resolve('graphql/package.json')), entry: 'language/printer.mjs' },
  // Sign-in at an OpenID issuer by Authorization Code + PKCE (console/src/issuer-sign-in.ts).
  oauth4webapi: { folder: () => path.dirname(require.resolve('oauth4webapi')), entry: 'index.js' },
};

const RELATIVE_IMPORT = /\b(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** Each package's folder and the files of it the console's entry point needs, relative to the folder. */
function moduleClosure(folder: string, entry: string): Set<string> {
  const needed = new Set<string>();
  const pending = [entry];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (needed.has(file)) continue;
    needed.add(file);
    const source = readFileSync(path.join(folder, file), 'utf8');
    for (const [, specifier] of source.matchAll(RELATIVE_IMPORT)) {
      pending.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier)));
    }
  }
  return needed;
}

/** `/console/vendor/<package>/<file>`: only the modules the console needs, revalidated on each load. */
export function consoleVendorRouter(): express.Router {
  const router = express.Router();
  for (const [name, { folder, entry }] of Object.entries(ENTRY_POINTS)) {
    const root = folder();
    const allowed = moduleClosure(root, entry);
    const only: RequestHandler = (req, _res, next) => {
      if (!allowed.has(req.path.slice(1))) return next('router');
      next();
    };
    router.use(
      `/${name}`,
      only,
      express.static(root, { index: false, setHeaders: (res) => res.set('Cache-Control', 'no-cache') }),
    );
  }
  return router;
}
