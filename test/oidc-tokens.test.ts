import { IdentityDocument, ProvisionUsersDocument, ProvisionWorkspacesDocument } from '../operations/generated';
import { jose } from '../src/domain/jose';
import { connectWs, errorCode, mustRequest, request } from './support/clients';
import { createWorkspace } from './support/fixtures';
import {
  BACKEND_CLIENT,
  createTestKey,
  REPORTING_CLIENT,
  startTestIssuer,
  TestIssuer,
  TestKey,
} from './support/oidc-provider';
import { startTestServer, TestServer } from './support/servers';

/**
 * Tokens of a real OpenID provider (oidc-provider on a free port): its client-credentials tokens,
 * and user tokens signed with the keys it publishes. Every bad or unverifiable token is
 * UNAUTHENTICATED and changes nothing.
 */
let issuer: TestIssuer;
let server: TestServer;
let backendToken: string;
let spareKeys: { rsa: TestKey; ed: TestKey; unpublished: TestKey };

const ORG = 'org-tokens';
const ADMIN = {
  externalId: 'auth0|admin-1',
  workspaceExternalId: ORG,
  email: 'ada@tokens.test',
  name: 'Ada',
  role: 'ADMIN',
} as const;
const MEMBER = {
  ...ADMIN,
  externalId: 'auth0|member-1',
  email: 'max@tokens.test',
  name: 'Max',
  role: 'MEMBER',
} as const;

beforeAll(async () => {
  spareKeys = {
    rsa: await createTestKey('RS256', 'rsa-1'),
    ed: await createTestKey('EdDSA', 'ed-1'),
    unpublished: await createTestKey('ES256', 'key-1'),
  };
  const main = await createTestKey('ES256', 'key-1');
  issuer = await startTestIssuer({ keys: [main, spareKeys.rsa, spareKeys.ed] });
  server = await startTestServer(issuer.env);
  backendToken = await issuer.clientCredentials(BACKEND_CLIENT);
  await mustRequest(
    server.url,
    ProvisionWorkspacesDocument,
    { input: [{ externalId: ORG, name: 'Tokens' }] },
    backendToken,
  );
  await mustRequest(server.url, ProvisionUsersDocument, { input: [ADMIN, MEMBER] }, backendToken);
});
afterAll(() => server?.close());

/** A user token as the provider would issue it: `sub` and the workspace claim. */
const userToken = (externalId: string, options: Parameters<TestIssuer['sign']>[1] = {}) =>
  issuer.sign({ sub: externalId, org_id: ORG }, options);

const me = (token: string) => request(server.url, IdentityDocument, {}, token);

/** Users of the workspace and provisioning records: what a refused call must leave as it was. */
const snapshot = () =>
  server.database.db.rows(
    `SELECT (SELECT json_agg(u ORDER BY u.id) FROM users u) AS users,
            (SELECT count(*)::int FROM provisioning_changes) AS changes`,
  );

/**
 * Expects `token` to be refused on `me` and on a provisioning call, with nothing changed. A token
 * that verifies but names no active user is UNAUTHENTICATED as a user, FORBIDDEN to provision.
 */
async function expectRefused(token: string, provisionCode = 'UNAUTHENTICATED'): Promise<void> {
  const before = await snapshot();
  expect(errorCode(await me(token))).toBe('UNAUTHENTICATED');
  const provision = await request(
    server.url,
    ProvisionUsersDocument,
    { input: [{ ...MEMBER, name: 'Changed' }] },
    token,
  );
  expect(errorCode(provision)).toBe(provisionCode);
  expect(await snapshot()).toEqual(before);
}

describe('user tokens of the issuer', () => {
  it('name the provisioned user by sub and workspace claim; the role comes from the database', async () => {
    const response = await me(await userToken(ADMIN.externalId));
    expect(response.errors).toBeUndefined();
    expect(response.data?.me).toMatchObject({ externalId: ADMIN.externalId, role: 'ADMIN', active: true });
  });

  it.each(['rsa', 'ed'] as const)('are accepted signed with a published %s key (RS256, EdDSA)', async (which) => {
    const response = await me(await userToken(MEMBER.externalId, { key: spareKeys[which] }));
    expect(response.data?.me).toMatchObject({ externalId: MEMBER.externalId, role: 'MEMBER' });
  });

  it('are refused from another issuer, for another audience, or signed by an unpublished key', async () => {
    await expectRefused(await userToken(ADMIN.externalId, { issuer: 'http://127.0.0.1:1/' }));
    await expectRefused(await userToken(ADMIN.externalId, { audience: 'https://other-api.test' }));
    // Same kid as the published key, other key material: the signature fails.
    await expectRefused(await userToken(ADMIN.externalId, { key: spareKeys.unpublished }));
    await expectRefused(await userToken(ADMIN.externalId, { header: { kid: 'no-such-kid' } }));
  });

  it('are refused expired or not yet valid, beyond the clock tolerance', async () => {
    await expectRefused(await userToken(ADMIN.externalId, { expiresIn: -60 }));
    await expectRefused(await userToken(ADMIN.externalId, { notBefore: 120 }));
  });

  it('are refused with alg none, and as HS256 forged with the issuer’s public key as the secret', async () => {
    const claims = { sub: ADMIN.externalId, org_id: ORG };
    const unsecured = new jose.UnsecuredJWT(claims)
      .setIssuer(issuer.issuer)
      .setAudience(server.app.services.config.oidc!.audience);
    await expectRefused(unsecured.setExpirationTime('5m').encode());
    const publicJwk = await (await fetch(`${issuer.issuer}/jwks`)).text();
    for (const secret of [publicJwk, JSON.stringify(issuer.keys[0].privateJwk.x)]) {
      const forged = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: issuer.keys[0].kid })
        .setIssuer(issuer.issuer)
        .setAudience(server.app.services.config.oidc!.audience)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      await expectRefused(forged);
    }
  });

  it('are refused for a user or workspace never provisioned, and without the workspace claim', async () => {
    await expectRefused(await userToken('auth0|stranger'), 'FORBIDDEN');
    await expectRefused(await issuer.sign({ sub: ADMIN.externalId, org_id: 'org-unknown' }), 'FORBIDDEN');
    await expectRefused(await issuer.sign({ sub: ADMIN.externalId }), 'FORBIDDEN');
  });

  it('cannot provision: FORBIDDEN, and nothing changes', async () => {
    const before = await snapshot();
    const response = await request(
      server.url,
      ProvisionUsersDocument,
      { input: [{ ...MEMBER, role: 'ADMIN' }] },
      await userToken(ADMIN.externalId),
    );
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });
});

describe('client-credentials tokens of the issuer', () => {
  it('with the provision scope are no user: anything but provisioning is FORBIDDEN', async () => {
    const before = await snapshot();
    expect(errorCode(await me(backendToken))).toBe('FORBIDDEN');
    expect(await snapshot()).toEqual(before);
  });

  it('with the provision scope open no socket: closed with 4403', async () => {
    const { client, closed } = connectWs(server.wsUrl, backendToken);
    try {
      expect(await closed).toBe(4403);
    } finally {
      await client.dispose();
    }
  });

  it('without the provision scope cannot provision (FORBIDDEN) and are no user (UNAUTHENTICATED)', async () => {
    const reporting = await issuer.clientCredentials(REPORTING_CLIENT);
    const before = await snapshot();
    const response = await request(
      server.url,
      ProvisionUsersDocument,
      { input: [{ ...MEMBER, name: 'x' }] },
      reporting,
    );
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(errorCode(await me(reporting))).toBe('UNAUTHENTICATED');
    expect(await snapshot()).toEqual(before);
  });

  it('with the scope in an `scp` array count as provisioning tokens', async () => {
    const token = await issuer.sign({ sub: 'okta-client', client_id: 'okta-client', scp: ['crm-archive:provision'] });
    const response = await request(
      server.url,
      ProvisionWorkspacesDocument,
      { input: [{ externalId: ORG, name: 'Tokens' }] },
      token,
    );
    expect(response.errors).toBeUndefined();
  });
});

describe('the HS256 secret beside the issuer', () => {
  it('still signs in users made without external ids (development and tests)', async () => {
    const workspace = await createWorkspace(server.database.db, 1, 0);
    const response = await me(workspace.admins[0].token);
    expect(response.data?.me).toMatchObject({ id: workspace.admins[0].id, externalId: null });
  });
});
