import { MeDocument } from '../operations/generated';
import { AuthService } from '../src/domain/identity/auth.service';
import { errorCode, request } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TEST_JWT_SECRET, TestServer } from './support/servers';

let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  workspace = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server.close());

describe('me', () => {
  it('returns the user named by a valid token, with the role from the database', async () => {
    const [admin] = workspace.admins;
    const response = await request(server.url, MeDocument, {}, admin.token);
    expect(response.errors).toBeUndefined();
    expect(response.data?.me).toEqual({ id: admin.id, name: 'ADMIN 0', email: admin.email, role: 'ADMIN' });
  });

  it('refuses a request without a token with UNAUTHENTICATED', async () => {
    const response = await request(server.url, MeDocument, {});
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.data).toBeNull();
  });

  it('refuses a token with a bad signature', async () => {
    const forged = new AuthService(server.database.db, 'another-secret-of-enough-length').sign(workspace.admins[0].id);
    const response = await request(server.url, MeDocument, {}, forged);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0].message).toBe('The token is invalid.');
  });

  it('refuses an expired token', async () => {
    const expired = new AuthService(server.database.db, TEST_JWT_SECRET).sign(workspace.admins[0].id, -10);
    const response = await request(server.url, MeDocument, {}, expired);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0].message).toMatch(/expired/);
  });

  it('refuses a token whose user was deleted', async () => {
    const [member] = workspace.members;
    await server.database.db.rows('DELETE FROM users WHERE id = $1', [member.id]);
    const response = await request(server.url, MeDocument, {}, member.token);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0].message).toMatch(/no longer exists/);
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: '{ me { id } }' }),
    });
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('reports a syntax error as BAD_USER_INPUT without internals', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id ' }),
    });
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_USER_INPUT' });
  });
});

describe('a refused token', () => {
  it('fails only the fields that need a user, so the playground can still introspect', async () => {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer <token>' },
      body: JSON.stringify({ query: '{ __schema { queryType { name } } }' }),
    });
    expect(await response.json()).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('playground', () => {
  it('serves GraphiQL to browsers from this server’s own files, and leaves JSON GETs to the API', async () => {
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('window.__playgroundFetcher');
    expect(html).toMatch(/<script src="\/playground\/[0-9a-f]+\/graphiql\.js">/);
    expect(html).not.toMatch(/<script[^>]+src=["']?https?:/);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/);
    const api = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('health', () => {
  it('answers /healthz and /readyz', async () => {
    const base = server.url.replace('/graphql', '');
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
  });
});
