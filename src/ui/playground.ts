import { RequestHandler } from 'express';
import { ErrorCode } from '../errors';
import { Services } from '../domain/services';
import { sendJsonError } from '../http/http-errors';
import { DemoAccess } from './demo-access';
import { inlineScriptsOf, setPageSecurityHeaders } from './page-security';
import { assetUrls } from './playground-assets';
import { operationDocuments, TokenHint, welcomeComment } from './playground-tabs';

/**
 * Serves the playground to browsers on GET /graphql; other GETs (GraphQL over HTTP queries) go on
 * to Apollo. When disabled (production without PLAYGROUND=true), a browser gets a JSON 404.
 * The page is a few KB: GraphiQL's files are linked from /playground/… (playground-assets.ts).
 */
export function playgroundHandler(services: Services, demoAdminToken?: DemoAccess['adminToken']): RequestHandler {
  const { playground: enabled } = services.config;
  return async (req, res, next) => {
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    if (!enabled) {
      if (req.query.query !== undefined) return next();
      const message = 'The playground is disabled on this server (production); set PLAYGROUND=true to serve it.';
      return sendJsonError(res, 404, ErrorCode.NOT_FOUND, message);
    }
    try {
      // As `npm start` prints it: given outside production only, a token would otherwise reach any visitor.
      const token = await demoAdminToken?.();
      const html = playgroundPage(token);
      // Monaco (GraphiQL's editor) writes style attributes as it draws, so inline styles stay allowed.
      setPageSecurityHeaders(res, { inlineScripts: inlineScriptsOf(html), inlineStyles: true });
      res.type('html').set('Cache-Control', 'no-store').send(html);
    } catch (error) {
      next(error);
    }
  };
}

function playgroundPage(token: (TokenHint & { token: string }) | undefined): string {
  const urls = assetUrls();
  const headers = JSON.stringify(
    { Authorization: `Bearer ${token?.token ?? '<token printed by: npm run token -- <email>>'}` },
    null,
    2,
  );
  const [first = '', ...others] = operationDocuments();
  const tabs = [welcomeComment(token) + first, ...others].map((query) => ({ query, headers }));
  const options = {
    title: 'crm-archive playground',
    defaultHeaders: headers,
    defaultTabs: tabs,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
    // The token is the user's secret: kept for this page only, not in the browser's storage.
    shouldPersistHeaders: false,
  };
  const workers = {
    editorWorkerService: urls['editor.worker.js'],
    json: urls['json.worker.js'],
    graphql: urls['graphql.worker.js'],
  };
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>crm-archive playground</title>
    <link rel="icon" href="${urls['favicon.ico']}" />
    <link rel="stylesheet" href="${urls['graphiql.css']}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>The playground needs JavaScript.</noscript>
    <div id="root"></div>
    <script>
      var workers = ${scriptJson(workers)};
      self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: function (moduleId, label) { return workers[label]; } };
    </script>
    <script src="${urls['graphql-ws.js']}"></script>
    <script src="${urls['fetcher.js']}"></script>
    <script src="${urls['graphiql.js']}"></script>
    <script>
      var options = ${scriptJson(options)};
      options.fetcher = window.__playgroundFetcher;
      YogaGraphiQL.renderYogaGraphiQL(document.querySelector('#root'), options);
    </script>
  </body>
</html>
`;
}

/** JSON that cannot end the inline <script> it sits in, whatever the operations' text holds. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
