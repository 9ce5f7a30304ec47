import { MeDocument } from '../operations/generated';
import { DEMO_ADMIN_EMAIL, seedDemoData } from '../src/demo/demo-seed';
import { mustRequest } from './support/clients';
import { startServerProcess, startTestServer, TestServer } from './support/servers';
import { STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';

/** How the server serves the admin console's files, and where it does not (production, demo users). */
const get = (server: TestServer, path: string, headers: Record<string, string> = {}) =>
  fetch(new URL(path, server.url), { headers });

describe('outside production', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('serves the page, its modules and the two browser packages from this installation', async () => {
    const page = await get(server, '/console');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const path of [
      '/console/app/console/src/main.js',
      '/console/app/operations/generated.js',
      '/console/vendor/graphql-ws/client.js',
      '/console/vendor/graphql/language/printer.mjs',
    ]) {
      const response = await get(server, path);
      expect([path, response.status, response.headers.get('content-type')]).toEqual([
        path,
        200,
        'text/javascript; charset=utf-8',
      ]);
    }
    // What those two import in turn is served too, and nothing else of the packages.
    expect((await get(server, '/console/vendor/graphql/language/blockString.mjs')).status).toBe(200);
    for (const path of [
      '/console/vendor/graphql/package.json',
      '/console/vendor/graphql-ws/package.json',
      '/console/vendor/graphql/',
      '/console/vendor/graphql/index.mjs',
      '/console/vendor/graphql/language/printer.js',
      '/console/vendor/graphql-ws/server-zBhvXJ_Z.js',
      '/console/vendor/graphql/language/../package.json',
      '/console/vendor/graphql/language/%2e%2e/package.json',
    ]) {
      expect([path, (await get(server, path)).status]).toEqual([path, 404]);
    }
    const css = await get(server, '/console/static/console.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('has every file revalidated, answering 304 when it did not change', async () => {
    const first = await get(server, '/console/app/console/src/main.js');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // As a browser revalidates (fetch would otherwise add `cache-control: no-cache`, which forbids a 304).
    const revalidation = { 'if-none-match': etag!, 'cache-control': 'max-age=0' };
    expect((await get(server, '/console/app/console/src/main.js', revalidation)).status).toBe(304);
  });

  it(
    'is served by `npm start` (from dist/) at the address its banner prints',
    async () => {
      const main = startServerProcess({}, { database: server.database });
      await main.ready();
      const consoleUrl = /admin console: (\S+)/.exec(main.output.stdout)![1];
      expect((await fetch(consoleUrl)).status).toBe(200);
      expect((await fetch(new URL('/console/app/console/src/main.js', consoleUrl))).status).toBe(200);
      expect(await main.stop()).toBe(0);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );

  it('lists no demo users outside development', async () => {
    expect((await get(server, '/console/demo-users')).status).toBe(404);
  });
});

describe('in development', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ NODE_ENV: 'development' });
    await seedDemoData(server.app.services);
  });
  afterAll(() => server.close());

  it('lists the demo users with tokens that work', async () => {
    const response = await get(server, '/console/demo-users');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const users = (await response.json()) as { email: string; role: string; token: string }[];
    const admin = users.find((user) => user.email === DEMO_ADMIN_EMAIL);
    expect(admin).toMatchObject({ role: 'ADMIN' });
    const { me } = await mustRequest(server.url, MeDocument, {}, admin!.token);
    expect(me).toMatchObject({ email: DEMO_ADMIN_EMAIL, role: 'ADMIN' });
  });
});

describe('in production', () => {
  it('serves no console unless CONSOLE_ENABLED=true', async () => {
    const server = await startTestServer({ NODE_ENV: 'production', HOST: '127.0.0.1' });
    const response = await get(server, '/console');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      errors: [
        {
          message: 'The admin console is disabled on this server (production); set CONSOLE_ENABLED=true to serve it.',
          extensions: { code: 'NOT_FOUND' },
        },
      ],
    });
    expect((await get(server, '/console/app/console/src/main.js')).status).toBe(404);
  });

  it('serves it when enabled, but never the demo users and their tokens', async () => {
    const server = await startTestServer({ NODE_ENV: 'production', HOST: '127.0.0.1', CONSOLE_ENABLED: 'true' });
    expect((await get(server, '/console')).status).toBe(200);
    const demoUsers = await get(server, '/console/demo-users');
    expect(demoUsers.status).toBe(404);
    expect(await demoUsers.text()).not.toContain('token');
  });
});
