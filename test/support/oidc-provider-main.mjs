// A real OpenID provider (oidc-provider) for the tests, run as its own process: oidc-provider is
// published as ES modules only, which jest's module sandbox cannot load. Started by
// test/support/oidc-provider.ts with its settings in OIDC_TEST_SETTINGS (JSON); prints its issuer
// URL on the first line of stdout once it listens. Without OIDC_TEST_SETTINGS it starts the
// worked example of docs/identity.md: port 4455, a fresh ES256 key, the example's clients.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const settings = process.env.OIDC_TEST_SETTINGS ? JSON.parse(process.env.OIDC_TEST_SETTINGS) : await example();

async function example() {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const backend = (id, scope) => ({
    client_id: id,
    client_secret: `${id}-secret`,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope,
  });
  return {
    port: 4455,
    keys: [{ ...(await exportJWK(privateKey)), kid: 'example-1', alg: 'ES256', use: 'sig' }],
    alg: 'ES256',
    audience: 'https://api.crm-archive.test',
    workspaceClaim: 'org_id',
    workspaces: { 'demo-alice': 'acme', 'demo-carol': 'acme', 'demo-grace': 'globex' },
    apiScopes: ['crm-archive:provision', 'crm-archive:use'],
    accessTokenTtl: 300,
    clients: [
      backend('crm-backend', 'crm-archive:provision'),
      {
        client_id: 'crm-console',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1:4000/console/'],
        post_logout_redirect_uris: ['http://127.0.0.1:4000/console/'],
        scope: 'openid offline_access crm-archive:use',
      },
    ],
  };
}
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
