/**
 * The playground's transport, run in the browser. GraphiQL hands it the headers of its editor
 * on every call, so queries and mutations POST them, and subscriptions open a graphql-ws client
 * (same URL, `graphql-transport-ws`) that sends the Authorization header as
 * `connectionParams.authorization`: one client per token, so editing the token takes effect.
 * Served as /playground/<hash>/fetcher.js; the page hands `window.__playgroundFetcher` to GraphiQL.
 */
export const PLAYGROUND_FETCHER = `
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
