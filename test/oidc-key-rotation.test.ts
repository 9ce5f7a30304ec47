import { IdentityDocument, ProvisionUsersDocument, ProvisionWorkspacesDocument } from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { createWorkspace } from './support/fixtures';
import { LogCapture } from './support/log-capture';
import { BACKEND_CLIENT, createTestKey, freePort, startTestIssuer, TestIssuer } from './support/oidc-provider';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';

/**
 * The issuer's keys over time: rotation without a restart, refetches rate-limited, the issuer
 * down at start (readyz says so, its tokens are refused until it answers) and mid-run (cached
 * keys keep serving, the log says so). Each test has its own provider and server.
 */
const ORG = 'org-keys';
const USER = {
  externalId: 'kc|user-1',
  workspaceExternalId: ORG,
  email: 'u@keys.test',
  name: 'U',
  role: 'ADMIN',
} as const;

async function provision(server: TestServer, issuer: TestIssuer): Promise<void> {
  const token = await issuer.clientCredentials(BACKEND_CLIENT);
  await mustRequest(server.url, ProvisionWorkspacesDocument, { input: [{ externalId: ORG, name: 'Keys' }] }, token);
  await mustRequest(server.url, ProvisionUsersDocument, { input: [USER] }, token);
}

const me = (server: TestServer, token: string) => request(server.url, IdentityDocument, {}, token);
const userToken = (issuer: TestIssuer, key = issuer.keys[0]) =>
  issuer.sign({ sub: USER.externalId, org_id: ORG }, { key });
const readyz = async (server: TestServer) => {
  const response = await fetch(`${server.url.replace(/\/graphql$/, '')}/readyz`);
  return { status: response.status, body: (await response.json()) as { status: string } };
};

it('accepts a new key without a restart and refuses a removed key’s tokens once the set is fetched again', async () => {
  const [first, second] = [await createTestKey('ES256', 'first'), await createTestKey('ES256', 'second')];
  const issuer = await startTestIssuer({ keys: [first] });
  const server = await startTestServer(issuer.env);
  await provision(server, issuer);
  const oldToken = await userToken(issuer, first);
  expect((await me(server, oldToken)).data?.me.externalId).toBe(USER.externalId);

  await issuer.restart([second]);
  // The new kid is unknown: one refetch, and it is accepted.
  expect((await me(server, await userToken(issuer, second))).data?.me.externalId).toBe(USER.externalId);
  // That refetch replaced the set: the removed key's token is refused now.
  expect(errorCode(await me(server, oldToken))).toBe('UNAUTHENTICATED');
});

it('fetches the key set again at most once per cooldown, however many unknown kids arrive', async () => {
  const issuer = await startTestIssuer();
  const server = await startTestServer({ ...issuer.env, AUTH_JWKS_COOLDOWN: '1h' });
  await provision(server, issuer);
  const before = await issuer.jwksFetches();
  const strangers = await Promise.all([1, 2, 3, 4, 5].map((n) => createTestKey('ES256', `stranger-${n}`)));
  for (const key of strangers)
    expect(errorCode(await me(server, await userToken(issuer, key)))).toBe('UNAUTHENTICATED');
  expect(await issuer.jwksFetches()).toBeLessThanOrEqual(before + 1);
  // The known key needs no fetch at all.
  const fetches = await issuer.jwksFetches();
  expect((await me(server, await userToken(issuer))).errors).toBeUndefined();
  expect(await issuer.jwksFetches()).toBe(fetches);
});

it('starts with the issuer down: readyz says so, its tokens are refused, HS256 still works; then it recovers', async () => {
  const port = await freePort();
  const key = await createTestKey('ES256', 'late');
  const env = {
    AUTH_ISSUER: `http://127.0.0.1:${port}`,
    AUTH_AUDIENCE: 'https://api.crm-archive.test',
    AUTH_JWKS_COOLDOWN: '50ms',
  };
  const server = await startTestServer(env);
  expect(await readyz(server)).toEqual({ status: 503, body: { status: expect.stringMatching(/no key obtained/) } });
  const local = await createWorkspace(server.database.db, 1, 0);
  expect((await me(server, local.admins[0].token)).errors).toBeUndefined();

  const issuer = await startTestIssuer({ port, keys: [key] });
  await waitFor(async () => (await readyz(server)).status === 200, { what: 'readyz once the issuer answers' });
  await provision(server, issuer);
  expect((await me(server, await userToken(issuer))).data?.me.externalId).toBe(USER.externalId);
});

it('refuses issuer tokens while the issuer was never reached', async () => {
  const port = await freePort();
  const server = await startTestServer({
    AUTH_ISSUER: `http://127.0.0.1:${port}`,
    AUTH_AUDIENCE: 'https://api.crm-archive.test',
  });
  const issuer = await startTestIssuer({ port: await freePort() });
  const response = await me(
    server,
    await issuer.sign({ sub: USER.externalId, org_id: ORG }, { issuer: `http://127.0.0.1:${port}` }),
  );
  expect(errorCode(response)).toBe('UNAUTHENTICATED');
});

it('keeps serving cached keys while the issuer is down mid-run, and says so in the log', async () => {
  const issuer = await startTestIssuer();
  const logs = new LogCapture();
  const server = await startTestServer({ ...issuer.env, AUTH_JWKS_REFRESH: '100ms' }, { logger: logs.logger });
  await provision(server, issuer);
  await issuer.stop();
  const warned = () =>
    logs.lines().some((line) => /unreachable; the \d+ cached keys keep serving/.test(line.msg ?? ''));
  await waitFor(warned, { what: 'the log to say the issuer is unreachable' });
  expect((await me(server, await userToken(issuer))).data?.me.externalId).toBe(USER.externalId);
  expect((await readyz(server)).status).toBe(200);
});
