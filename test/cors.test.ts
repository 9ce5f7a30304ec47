import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { launchBrowser, withContexts } from './support/browser';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

/**
 * CORS as a browser sees it: pages served from other origins (tiny HTTP servers on other ports)
 * call the API from real Chromium; plain HTTP checks the preflight's headers.
 */
let server: TestServer;
let ws: TestWorkspace;
let browser: Browser;
const pages: { allowed?: Server; other?: Server } = {};
let allowedOrigin: string;
let otherOrigin: string;
let base: string;

/** A server answering every GET with an empty HTML page: the origin a frontend would be served from. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const pageServer = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>frontend</title>'),
  );
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  return { server: pageServer, origin: `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  const allowed = await pageServer();
  const other = await pageServer();
  pages.allowed = allowed.server;
  pages.other = other.server;
  allowedOrigin = allowed.origin;
  otherOrigin = other.origin;
  server = await startTestServer({ CORS_ORIGINS: `${allowedOrigin}, https://app.example.test` });
  base = server.url.replace(/\/graphql$/, '');
  ws = await createWorkspace(server.database.db, 1, 0);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const page of Object.values(pages)) await new Promise((resolve) => page?.close(resolve));
});

/** Runs `fetch` in the page; resolves to the answer's status and body, or to the browser's error. */
async function fetchFrom(
  page: Page,
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) {
  return page.evaluate(
    async ({ url, init }) => {
      try {
        const response = await fetch(url, init);
        return { status: response.status, body: await response.text() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    { url, init },
  );
}

function archiveRequest(token: string, id: string) {
  const query = `mutation { archiveObjects(refs: [{ type: DEAL, id: "${id}" }]) { id archivedAt } }`;
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  };
}

function uploadRequest(token: string) {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/pdf', Authorization: `Bearer ${token}` },
    body: '%PDF-1.4 offer',
  };
}

/** From a page served at `origin`, uploads an attachment to the deal, then archives it, as a frontend would. */
function uploadAndArchiveFrom(origin: string, token: string, dealId: string) {
  return withContexts(browser, 1, async ([context]) => {
    const page = await context.newPage();
    await page.goto(origin);
    const upload = `${base}/attachments?type=DEAL&id=${dealId}&fileName=offer.pdf`;
    const uploaded = await fetchFrom(page, upload, uploadRequest(token));
    const archived = await fetchFrom(page, server.url, archiveRequest(token, dealId));
    return { uploaded, archived };
  });
}

describe('in Chromium', () => {
  it('lets a page on an allowed origin call POST /graphql and POST /attachments', async () => {
    const [admin] = ws.admins;
    const deal = await createObject(server.url, admin, 'DEAL');
    const { uploaded, archived } = await uploadAndArchiveFrom(allowedOrigin, admin.token, deal.id);
    expect(uploaded).toMatchObject({ status: 201 });
    expect(archived).toMatchObject({ status: 200 });
    expect(JSON.parse((archived as { body: string }).body).data.archiveObjects).toEqual([
      { id: deal.id, archivedAt: expect.any(String) },
    ]);
  });

  it('blocks a page on another origin, and the server changes nothing', async () => {
    const [admin] = ws.admins;
    const deal = await createObject(server.url, admin, 'DEAL');
    const before = await snapshot(server.database.db);
    const { uploaded, archived } = await uploadAndArchiveFrom(otherOrigin, admin.token, deal.id);
    // What Chromium says when CORS blocks a call: the page never sees the answer, nor does the server get the POST.
    expect(uploaded).toEqual({ error: expect.stringContaining('Failed to fetch') });
    expect(archived).toEqual({ error: expect.stringContaining('Failed to fetch') });
    expect(await snapshot(server.database.db)).toEqual(before);
  });
});

describe('over plain HTTP', () => {
  function preflight(path: string, origin: string, requestHeaders = 'authorization, content-type') {
    return fetch(`${base}${path}`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
    });
  }

  it.each(['/graphql', '/attachments', '/attachments/some-id', '/deletions/some-id/export'])(
    'answers an allowed origin’s preflight to %s with 204 and the CORS headers',
    async (path) => {
      const response = await preflight(path, allowedOrigin);
      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
      expect(response.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, OPTIONS');
      const allowedHeaders = response.headers.get('access-control-allow-headers')!.toLowerCase().split(', ');
      expect(allowedHeaders).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight', 'range']),
      );
      expect(response.headers.get('access-control-max-age')).toBe('600');
      expect(response.headers.get('access-control-allow-credentials')).toBeNull();
      expect(response.headers.get('vary')).toMatch(/origin/i);
      expect(response.headers.get('x-powered-by')).toBeNull();
    },
  );

  it('gives another origin no CORS header at all', async () => {
    const response = await preflight('/graphql', otherOrigin);
    expect(response.status).toBe(204);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(response.headers.get('vary')).toMatch(/origin/i);
  });

  it('names an allowed origin on the answer itself, and keeps Apollo’s CSRF prevention', async () => {
    const answer = await fetch(server.url, {
      method: 'POST',
      headers: { origin: 'https://app.example.test', 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.test');
    expect(answer.headers.get('access-control-expose-headers')).toBe(
      'x-request-id, Content-Disposition, Content-Range',
    );

    // A GET without a preflight-forcing header is what a cross-site <img> could send: still refused.
    const simple = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { origin: 'https://app.example.test' },
    });
    expect(simple.status).toBe(400);
  });

  it('lets an allowed origin read a download and its file name', async () => {
    const [admin] = ws.admins;
    const deal = await createObject(server.url, admin, 'DEAL');
    const uploaded = await upload(server.url, admin.token, deal, Buffer.from('%PDF-1.4 offer'), 'offer.pdf');
    const { id } = uploaded.body.attachment as { id: string };
    const download = await fetch(`${base}/attachments/${id}`, {
      headers: { origin: allowedOrigin, authorization: `Bearer ${admin.token}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('access-control-allow-origin')).toBe(allowedOrigin);
    expect(download.headers.get('access-control-expose-headers')).toContain('Content-Disposition');
    expect(await download.text()).toBe('%PDF-1.4 offer');
  });

  it('leaves requests without Origin (curl, servers) alone', async () => {
    const answer = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });
});
