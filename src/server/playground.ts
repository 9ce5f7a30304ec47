import { renderGraphiQL } from '@graphql-yoga/render-graphiql';

type GraphiQLOptions = NonNullable<Parameters<typeof renderGraphiQL>[0]>;
import { RequestHandler } from 'express';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../errors';
import { sendJsonError } from './http-errors';

/**
 * The playground's transport, run in the browser. GraphiQL hands it the headers of its editor
 * on every call, so queries and mutations POST them, and subscriptions open a graphql-ws client
 * (same URL, `graphql-transport-ws`) that sends the Authorization header as
 * `connectionParams.authorization`: one client per token, so editing the token takes effect.
 */
const BROWSER_FETCHER = `
(function () {
  var clients = {};
  function wsUrl() {
    var url = new URL(location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '';
    url.hash = '';
    return url.toString();
  }
  function authorizationOf(headers) {
    for (var key in headers || {}) if (key.toLowerCase() === 'authorization') return String(headers[key]);
    return undefined;
  }
  function isSubscription(params, options) {
    var definitions = (options && options.documentAST && options.documentAST.definitions) || [];
    var operations = definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
    var named = operations.find(function (d) { return params.operationName && d.name && d.name.value === params.operationName; });
    var operation = named || (operations.length === 1 ? operations[0] : null);
    if (operation) return operation.operation === 'subscription';
    return /^\\s*subscription\\b/m.test(String(params.query || '').replace(/#.*$/gm, ''));
  }
  window.__playgroundFetcher = function (params, options) {
    var headers = (options && options.headers) || {};
    if (isSubscription(params, options)) {
      var authorization = authorizationOf(headers) || '';
      var client = clients[authorization] || (clients[authorization] = graphqlWs.createClient({
        url: wsUrl(),
        lazy: true,
        connectionParams: authorization ? { authorization: authorization } : {},
      }));
      return client.iterate({ query: params.query, variables: params.variables || undefined, operationName: params.operationName || undefined });
    }
    return fetch(location.pathname, {
      method: 'POST',
      headers: Object.assign({ 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' }, headers),
      body: JSON.stringify(params),
    }).then(function (response) { return response.json(); });
  };
})();`;

const FETCHER_PLACEHOLDER = '__PLAYGROUND_FETCHER__';

/**
 * GraphiQL with every asset inlined from installed packages (no CDN: the machines this runs on
 * may have no internet). About 9 MB, so it is rendered once, on first use, not at start.
 */
function renderPlayground(): string {
  // graphql-ws exports no ./umd path, but its package.json tells where the package is.
  const graphqlWsBrowser = readFileSync(
    path.join(path.dirname(require.resolve('graphql-ws/package.json')), 'umd/graphql-ws.min.js'),
    'utf8',
  );
  const options: GraphiQLOptions & { fetcher: string } = {
    title: 'crm-archive playground',
    defaultHeaders: JSON.stringify({ Authorization: 'Bearer <paste a token printed by npm start>' }, null, 2),
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'headers',
    shouldPersistHeaders: false,
    // renderGraphiQL serialises its options as JSON; the placeholder is swapped for a reference below.
    fetcher: FETCHER_PLACEHOLDER,
  };
  const html = renderGraphiQL(options)
    .replace(`"${FETCHER_PLACEHOLDER}"`, 'window.__playgroundFetcher')
    .replace('<script>', () => `<script>${graphqlWsBrowser}</script><script>${BROWSER_FETCHER}</script><script>`);
  // The swap depends on render-graphiql's output (pinned exactly); fail loudly if it ever changes.
  if (!html.includes('window.__playgroundFetcher')) throw new Error('playground: could not install the fetcher');
  return html;
}

/**
 * Serves the playground to browsers on GET /graphql; other GETs (GraphQL over HTTP queries) go on
 * to Apollo. When disabled (production without PLAYGROUND=true), a browser gets a JSON 404.
 */
export function playgroundHandler(enabled: boolean): RequestHandler {
  let html: string | undefined;
  return (req, res, next) => {
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') return next();
    if (!enabled) {
      if (req.query.query !== undefined) return next();
      const message = 'The playground is disabled on this server (production); set PLAYGROUND=true to serve it.';
      return sendJsonError(res, 404, ErrorCode.NOT_FOUND, message);
    }
    html ??= renderPlayground();
    res.type('html').set('Cache-Control', 'no-cache').send(html);
  };
}
