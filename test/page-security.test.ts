import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, Page } from 'playwright-core';
import { seedDemoData } from '../src/demo/demo-seed';
import { launchBrowser } from './support/browser';
import { startTestServer, TestServer } from './support/servers';

/**
 * The console and the playground as another site would try to use them, in real Chromium: they
 * run under their Content-Security-Policy without a violation, cannot be framed, and a page on
 * another local port (an origin the development CORS default admits) cannot read the playground,
 * whose HTML carries the demo admin's token.
 */
let server: TestServer;
let browser: Browser;
let other: { server: Server; origin: string };
let base: string;

/** A page on another origin whose HTML is `body`: the site that frames or fetches ours. */
async function otherSite(body: () => string): Promise<{ server: Server; origin: string }> {
  const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(body()));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return { server: site, origin: `http://127.0.0.1:${(site.address() as AddressInfo).port}` };
}

beforeAll(async () => {
  server = await startTestServer({ CORS_ORIGINS: undefined, NODE_ENV: 'development' });
  await seedDemoData(server.app.services);
  base = server.url.replace(/\/graphql$/, '');
  other = await otherSite(() => `<!doctype html><title>other</title><iframe src="${base}/console"></iframe>`);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => other?.server.close(resolve));
});

/** Opens `url` and collects every CSP violation the page reports while it loads and settles. */
async function violationsOn(page: Page, url: string, ready: string): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(url);
  await page.locator(ready).first().waitFor();
  return violations;
}

it.each([
  ['the console', '/console', 'main#app'],
  ['the playground', '/graphql', '.graphiql-execute-button'],
])('%s carries the security headers and runs without a CSP violation', async (_name, path, ready) => {
  const response = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
  const csp = response.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+;/);
  expect(csp).not.toContain("'unsafe-inline'; connect"); // scripts: never unsafe-inline
  expect(csp).not.toMatch(/script-src[^;]*unsafe-(inline|eval)/);
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  const context = await browser.newContext();
  try {
    expect(await violationsOn(await context.newPage(), `${base}${path}`, ready)).toEqual([]);
  } finally {
    await context.close();
  }
});

it('another site cannot frame the console', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(other.origin);
    const frame = page.frames().find((candidate) => candidate !== page.mainFrame());
    // Chromium replaces a refused frame with an error page: the console's own markup never loads.
    await page.waitForLoadState('load');
    const framedConsole = frame ? await frame.locator('main#app').count() : 0;
    expect(framedConsole).toBe(0);
  } finally {
    await context.close();
  }
});

it('a page on another local port cannot read the playground and its development token', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(other.origin);
    const outcome = await page.evaluate(async (url) => {
      try {
        const response = await fetch(url, { headers: { accept: 'text/html' } });
        return { read: await response.text() };
      } catch (error) {
        return { refused: String(error) };
      }
    }, server.url);
    expect(outcome).toEqual({ refused: expect.stringContaining('Failed to fetch') });
    // The API itself stays open to that origin, as the development CORS default promises.
    const api = await page.evaluate(async (url) => {
      const init = {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{__typename}"}',
      };
      return (await fetch(url, init)).json();
    }, server.url);
    expect(api).toEqual({ data: { __typename: 'Query' } });
  } finally {
    await context.close();
  }
});
