import { Client as WsClient } from 'graphql-ws';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runningUrl } from '../src/database/embedded-postgres';
import { connectWs } from './support/clients';
import { createWorkspace, TestUser } from './support/fixtures';
import { startServerProcess, startTestServer, TestServer } from './support/servers';
import { STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';

/** NODE_ENV=production: no playground, no introspection (unless PLAYGROUND=true), no demo data, no tokens. */
const INTROSPECTION = '{ __schema { queryType { name } } }';

async function post(server: TestServer, query: string, token?: string) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string; extensions?: unknown }[] };
  return { status: response.status, body };
}

const playgroundPage = (server: TestServer) => fetch(server.url, { headers: { accept: 'text/html' } });

describe('in production', () => {
  let server: TestServer;
  let admin: TestUser;
  let wsClient: WsClient | undefined;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', HOST: '127.0.0.1' });
    admin = (await createWorkspace(server.database.db, 1, 0)).admins[0];
  });
  afterEach(async () => {
    await wsClient?.dispose();
    wsClient = undefined;
  });
  afterAll(() => server.close());

  it('refuses introspection over HTTP with BAD_USER_INPUT, and still runs queries', async () => {
    for (const query of [INTROSPECTION, '{ __type(name: "User") { name } }']) {
      const { status, body } = await post(server, query, admin.token);
      expect(status).toBe(400);
      // The rule reports __schema's fields too: every error is the same refusal.
      expect(body.errors?.length).toBeGreaterThan(0);
      for (const error of body.errors ?? []) {
        expect(error).toMatchObject({
          message: expect.stringMatching(/introspection has been disabled/),
          extensions: { code: 'BAD_USER_INPUT' },
        });
      }
    }
    expect((await post(server, '{ __typename me { role } }', admin.token)).body).toEqual({
      data: { __typename: 'Query', me: { role: 'ADMIN' } },
    });
  });

  it('refuses introspection over graphql-ws', async () => {
    const { client } = connectWs(server.wsUrl, admin.token);
    wsClient = client;
    const refusal = new Promise((resolve) =>
      client.subscribe({ query: INTROSPECTION }, { next: resolve, error: resolve, complete: () => undefined }),
    );
    expect(await refusal).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/introspection has been disabled/) }),
    );
  });

  it('answers a browser asking for the playground with a JSON 404', async () => {
    const response = await playgroundPage(server);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [{ message: expect.stringMatching(/PLAYGROUND=true/), extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('binds to HOST', () => {
    expect((server.app.server.httpServer.address() as AddressInfo).address).toBe('127.0.0.1');
  });
});

describe('in production with PLAYGROUND=true', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'production', HOST: '127.0.0.1', PLAYGROUND: 'true' });
  });
  afterAll(() => server.close());

  it('serves the playground and introspection', async () => {
    const page = await playgroundPage(server);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('crm-archive playground');
    // Production gives the page no token: only outside production it opens signed in.
    expect(html).not.toContain('Bearer eyJ');
    expect((await post(server, INTROSPECTION)).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe('npm start in production on the embedded database', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-production-'));
  // The postgres OS user (when tests run as root) must be able to reach the data folder.
  chmodSync(dataDir, 0o755);
  // The process is stopped by support/servers first, then the folder goes.
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it(
    'seeds no demo data and prints no token',
    async () => {
      const started = startServerProcess({ NODE_ENV: 'production', HOST: '127.0.0.1', LOG_LEVEL: 'info' }, { dataDir });
      await started.ready();
      const { stdout, stderr } = started.output;
      expect(stdout).toMatch(/GraphQL: http:\/\/127\.0\.0\.1:\d+\/graphql/);
      expect(stdout).not.toMatch(/token \(|Bearer/);
      expect(stderr).not.toContain('created the demo data');
      const db = new Client({ connectionString: runningUrl(dataDir) });
      await db.connect();
      try {
        const { rows } = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM users');
        expect(rows[0].count).toBe(0);
      } finally {
        await db.end();
      }
      // Stopped as an operator would, so that it stops its PostgreSQL too.
      expect(await started.stop()).toBe(0);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
});
