import type { Browser, Page } from 'playwright-core';
import { ProvisionUsersDocument, ProvisionWorkspacesDocument } from '../operations/generated';
import { launchBrowser, withContexts } from './support/browser';
import { mustRequest } from './support/clients';
import { BACKEND_CLIENT, freePort, startTestIssuer, TEST_AUDIENCE, TestIssuer } from './support/oidc-provider';
import { startTestServer, TestServer } from './support/servers';
import { STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';

/**
 * The console signs in at a real OpenID provider in Chromium: Authorization Code + PKCE, renewal
 * with the refresh token before the access token expires, sign-out at the provider.
 */
let server: TestServer;
let issuer: TestIssuer;
let browser: Browser;
const ORG = 'org-console';

beforeAll(async () => {
  // The provider must know the console's redirect URI, which needs the server's port: the server
  // starts first, with the issuer not yet there (its keys are fetched once it answers).
  const port = await freePort();
  server = await startTestServer({
    AUTH_ISSUER: `http://127.0.0.1:${port}`,
    AUTH_AUDIENCE: TEST_AUDIENCE,
    AUTH_JWKS_COOLDOWN: '50ms',
    AUTH_CONSOLE_CLIENT_ID: 'crm-console',
  });
  const origin = new URL(server.url).origin;
  // Access tokens live 40 s; the console renews 30 s before expiry, so within about 10 s.
  issuer = await startTestIssuer({
    port,
    consoleRedirectUris: [`${origin}/console/`],
    workspaces: { 'kay-admin': ORG },
    accessTokenTtl: 40,
  });
  const backend = await issuer.clientCredentials(BACKEND_CLIENT);
  await mustRequest(
    server.url,
    ProvisionWorkspacesDocument,
    { input: [{ externalId: ORG, name: 'Console' }] },
    backend,
  );
  const kay = { externalId: 'kay-admin', workspaceExternalId: ORG, email: 'kay@console.test', name: 'Kay Admin' };
  await mustRequest(server.url, ProvisionUsersDocument, { input: [{ ...kay, role: 'ADMIN' }] }, backend);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Counts the page's successful token-endpoint calls of one grant type. */
function tokenGrants(page: Page, grantType: string): () => number {
  let count = 0;
  page.on('response', (response) => {
    const request = response.request();
    if (request.url().endsWith('/token') && request.postData()?.includes(`grant_type=${grantType}`) && response.ok())
      count += 1;
  });
  return () => count;
}

it(
  'signs in by code + PKCE at the provider, renews before expiry, and signs out there',
  async () => {
    await withContexts(browser, 1, async ([context]) => {
      const page = await context.newPage();
      const refreshes = tokenGrants(page, 'refresh_token');
      await page.goto(new URL('/console/', server.url).href);
      await page.locator('#issuer-sign-in').click();
      // The provider's own (development) login page.
      await page.locator('input[name=login]').fill('kay-admin');
      await page.locator('input[name=password]').fill('any password');
      await page.getByRole('button', { name: 'Sign-in' }).click();
      const viewer = page.locator('#viewer');
      await viewer.getByText(`Signed in as Kay Admin (admin) through 127.0.0.1:${issuer.port}`).waitFor();
      expect(page.url()).toBe(new URL('/console/', server.url).href);
      await page.locator('#overview table').waitFor();

      await waitFor(() => refreshes() > 0, { what: 'a renewal with the refresh token', stallMs: 30_000 });
      // Still signed in, now with the renewed token: the overview loads again over it.
      await page.reload();
      await viewer.getByText('Signed in as Kay Admin').waitFor();
      await page.locator('#overview table').waitFor();

      await page.locator('#sign-out').click();
      await page.getByRole('button', { name: /yes/i }).click();
      await page.locator('#issuer-sign-in').waitFor();
      expect(await viewer.textContent()).toBe('');
    });
  },
  STALL_GUARDED_TIMEOUT_MS,
);
