import { Browser, Page } from 'playwright-core';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { ActivateDeletionDocument, CancelDeletionDocument, MarkForDeletionDocument } from '../operations/generated';
import { seedDemoData } from '../src/demo/demo-seed';
import { launchBrowser, withContexts } from './support/browser';
import { mustRequest } from './support/clients';
import { archivedObjects } from './support/deletion';
import { TestUser } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';
import { warmUpSubscriptions } from './support/warm-up';

/**
 * The playground as its users get it: GraphiQL in real Chromium, opened on the demo data with the
 * demo admin's token and the example operations; and its files over plain HTTP (cached, compressed).
 */
let server: TestServer;
let browser: Browser;
let bob: TestUser;
let workspaceId: string;

beforeAll(async () => {
  server = await startTestServer();
  // A test server's database is not seeded by itself (it is given by DATABASE_URL).
  await seedDemoData(server.app.services);
  const row = await server.database.db.one<{ id: string; workspace_id: string }>(
    `SELECT id, workspace_id FROM users WHERE email = 'bob@acme.test'`,
  );
  bob = {
    id: row!.id,
    email: 'bob@acme.test',
    role: 'ADMIN' as TestUser['role'],
    token: server.app.services.auth.sign(row!.id),
  };
  workspaceId = row!.workspace_id;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const base = () => server.url.replace(/\/graphql$/, '');
const pageHtml = async () => (await fetch(server.url, { headers: { accept: 'text/html' } })).text();
const assetPaths = (html: string) =>
  [...html.matchAll(/"(\/playground\/[0-9a-f]+\/[\w.-]+)"/g)].map((match) => match[1]);

/** What GraphiQL's result pane shows (Monaco draws the visible lines; a result starts at the top). */
const resultText = async (page: Page) => (await page.locator('.graphiql-response').innerText()).replace(/\u00a0/g, ' ');

/**
 * Runs `operation` of the open tab: the run button lists a tab's operations when it has several.
 * GraphiQL parses a tab's operations a moment after the tab opens, and until then the button runs
 * the one it parsed before: so it is clicked only once it has become the menu's trigger (as slow
 * as that is on a loaded machine).
 */
async function run(page: Page, operation?: string): Promise<void> {
  if (!operation) return page.click('.graphiql-execute-button');
  await page.click('.graphiql-execute-button[aria-haspopup="menu"]');
  await page.getByRole('menuitem', { name: operation, exact: true }).click();
}

/** GraphiQL's tabs reorder by dragging, which swallows a synthetic pointer click: click the button itself. */
async function openTab(page: Page, title: string): Promise<void> {
  await page
    .locator('.graphiql-tab-button', { hasText: title })
    .evaluate((button) => (button as unknown as { click(): void }).click());
  await waitFor(async () => (await page.locator('.graphiql-tab-active').innerText()).includes(title), {
    what: `the ${title} tab`,
  });
}

describe('in Chromium', () => {
  it('opens as the demo admin, runs deletionOverview and shows a deletionEvents event from another admin', async () => {
    // An old, cancelled deletion whose PROGRESS events tell when the subscription is live.
    await mustRequest(
      server.url,
      MarkForDeletionDocument,
      { refs: await archivedObjects(server.url, bob, 'CALL', 1) },
      bob.token,
    );
    const old = (await mustRequest(server.url, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
    await mustRequest(server.url, CancelDeletionDocument, { id: old.id }, bob.token);

    await withContexts(browser, 1, async ([context]) => {
      const page = await context.newPage();
      const frames: string[] = [];
      page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => void frames.push(String(payload))));
      await page.goto(server.url);

      // The first tab (Me) runs as the demo admin: the token is already in the Headers tab.
      await run(page);
      await waitFor(async () => (await resultText(page)).includes('alice@acme.test'), { what: 'the Me result' });

      await openTab(page, 'DeletionOverview');
      await run(page, 'DeletionOverview');
      await waitFor(async () => (await resultText(page)).includes('"deletionOverview"'), { what: 'the overview' });
      expect(await resultText(page)).toContain('"canMark": true');

      await run(page, 'DeletionEvents');
      const warmUpsHeard = () => frames.filter((frame) => frame.includes(old.id)).length;
      await warmUpSubscriptions(server.database.db, [
        { target: { workspaceId, deletionId: old.id }, heard: warmUpsHeard },
      ]);

      const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
      await waitFor(async () => (await resultText(page)).includes(activated.id), {
        what: 'the activation in the result pane',
      });
      const shown = await resultText(page);
      expect(shown).toContain('"type": "ACTIVATED"');
      expect(shown).toContain('"name": "Bob Admin"');
    });
  });
});

describe('over plain HTTP', () => {
  it('serves a small page that links its files from this server, with the welcome and the example operations', async () => {
    const response = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    // Small beside the 9 MB it once inlined: what grows is the example operations (one tab per file of
    // operations/, about 16 KB once holds, receipts, identity and webhooks brought theirs).
    expect(html.length).toBeLessThan(32_000);
    expect(html).not.toMatch(/(src|href)="?https?:/);
    expect(
      assetPaths(html)
        .map((asset) => asset.split('/').pop())
        .sort(),
    ).toEqual(
      [
        'editor.worker.js',
        'favicon.ico',
        'fetcher.js',
        'graphiql.css',
        'graphiql.js',
        'graphql-ws.js',
        'graphql.worker.js',
        'json.worker.js',
      ].sort(),
    );
    expect(html).toContain('npm run token -- bob@acme.test');
    expect(html).toContain('Bearer eyJ');
    for (const operation of [
      'query Me',
      'query DeletionOverview',
      'subscription DeletionEvents',
      'mutation ArchiveObjects',
    ]) {
      expect(html).toContain(operation);
    }
  });

  it('serves each file cached for good and compressed, the same bytes whichever encoding', async () => {
    for (const asset of assetPaths(await pageHtml())) {
      const plain = await fetch(`${base()}${asset}`, { headers: { 'accept-encoding': 'identity' } });
      expect(plain.status).toBe(200);
      expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = Buffer.from(await plain.arrayBuffer());
      for (const [encoding, decode] of [
        ['br', brotliDecompressSync],
        ['gzip', gunzipSync],
      ] as const) {
        // Node's fetch would decode by itself; a raw read shows what went over the wire.
        const encoded = await rawGet(`${base()}${asset}`, { 'accept-encoding': encoding });
        expect(encoded.headers['content-encoding']).toBe(encoding);
        expect(decode(encoded.body).equals(body)).toBe(true);
        const again = await rawGet(`${base()}${asset}`, {
          'accept-encoding': encoding,
          'if-none-match': encoded.headers.etag as string,
        });
        expect(again.status).toBe(304);
      }
    }
  });

  it('answers an unknown or outdated file with a JSON 404', async () => {
    const [asset] = assetPaths(await pageHtml());
    const outdated = await fetch(`${base()}${asset.replace(/\/[0-9a-f]+\//, '/0000000000000000/')}`);
    expect(outdated.status).toBe(404);
    expect(((await outdated.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
  });

  it('serves no file when the playground is off', async () => {
    const [asset] = assetPaths(await pageHtml());
    const off = await startTestServer({ PLAYGROUND: 'false' }, { database: server.database });
    try {
      const response = await fetch(`${off.url.replace(/\/graphql$/, '')}${asset}`);
      expect(response.status).toBe(404);
    } finally {
      await off.close();
    }
  });
});

/** A GET that keeps the body as sent (no decoding), with its status and headers. */
function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>(
    (resolve, reject) => {
      request(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      })
        .on('error', reject)
        .end();
    },
  );
}
