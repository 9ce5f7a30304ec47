// A real OpenID provider (oidc-provider) for the tests, run as its own process: oidc-provider is
// published as ES modules only, which jest's module sandbox cannot load. Started by
// test/support/oidc-provider.ts with its settings in OIDC_TEST_SETTINGS (JSON); prints its issuer
// URL on the first line of stdout once it listens.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const settings = JSON.parse(process.env.OIDC_TEST_SETTINGS);
const server = createServer();
await new Promise((resolve) => server.listen(settings.port, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;
let jwksFetches = 0;

const provider = new Provider(issuer, {
  jwks: { keys: settings.keys },
  clients: settings.clients.map((client) => ({ id_token_signed_response_alg: settings.alg, ...client })),
  // Users sign in with any login at the development interaction pages; their workspace is looked up here.
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, name: id }) }),
  extraTokenClaims: (_ctx, token) =>
    token.accountId && settings.workspaces[token.accountId]
      ? { [settings.workspaceClaim]: settings.workspaces[token.accountId] }
      : undefined,
  scopes: ['openid', 'offline_access', ...settings.apiScopes],
  features: {
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => settings.audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: settings.apiScopes.join(' '),
        audience: settings.audience,
        accessTokenTTL: settings.accessTokenTtl,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: settings.alg } },
      }),
    },
  },
  pkce: { required: () => true },
  // The console renews before expiry: refresh tokens rotate as a public client's must.
  issueRefreshToken: () => true,
  loadExistingGrant: async (ctx) => {
    // Consent is implied for the test's clients: every requested scope and resource is granted.
    const grant = new provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(settings.audience, settings.apiScopes.join(' '));
    await grant.save();
    return grant;
  },
});
provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/jwks-fetches') {
    ctx.body = { count: jwksFetches };
    return;
  }
  if (ctx.path === '/jwks') jwksFetches += 1;
  await next();
});
server.on('request', provider.callback());
process.stdout.write(`${issuer}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));
