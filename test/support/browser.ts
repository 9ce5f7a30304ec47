import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { ServerEnv, startTestServer, TestServer } from './servers';

/**
 * Real-browser tests: Debian's Chromium (`apt-get install -y chromium`), driven by playwright-core.
 * No browser is ever downloaded; `.ci/run` installs the Debian package when it is missing. A missing
 * browser fails the test (it is not skipped), so CI cannot go green without having run it.
 */

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where screenshots of a failed browser test go (git-ignored). */
const SCREENSHOT_DIR = path.join(__dirname, '../../test-results/screenshots');

/**
 * Flags that keep Chromium quiet on a machine without internet: without the networking ones it keeps
 * trying Google's hosts in the background. `--no-sandbox` because CI runs as root.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** One headless Chromium for a test file; the file closes it in afterAll (`browser.close()`). */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install -y chromium) ` +
        'or point CHROMIUM_PATH at a Chromium or Chrome binary. No browser is downloaded.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

/**
 * Runs `body` with fresh browser contexts (one per simulated user, so no shared storage) and closes
 * them afterwards. When `body` throws, every open page is first saved as a PNG under SCREENSHOT_DIR,
 * named after the test, so a CI failure can be looked at.
 */
export async function withContexts<T>(
  browser: Browser,
  count: number,
  body: (contexts: BrowserContext[]) => Promise<T>,
): Promise<T> {
  const contexts: BrowserContext[] = [];
  try {
    for (let i = 0; i < count; i++) contexts.push(await browser.newContext());
    return await body(contexts);
  } catch (error) {
    await screenshotPages(contexts.flatMap((context) => context.pages()));
    throw error;
  } finally {
    await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  }
}

async function screenshotPages(pages: Page[]): Promise<void> {
  const testName = (expect.getState().currentTestName ?? 'browser-test').replace(/[^\w.-]+/g, '-').slice(0, 120);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await Promise.all(
    pages.map((page, index) =>
      page
        .screenshot({ path: path.join(SCREENSHOT_DIR, `${testName}-${index + 1}.png`), fullPage: true })
        .catch(() => undefined),
    ),
  );
}

/**
 * A test server (with `env`) and one Chromium for a console test file: started before its tests,
 * closed after them. Read `suite.server` and `suite.browser` inside the tests.
 */
export function consoleSuite(env: ServerEnv = {}): { server: TestServer; browser: Browser } {
  const suite = {} as { server: TestServer; browser: Browser };
  beforeAll(async () => {
    suite.server = await startTestServer(env);
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.server?.close();
  });
  return suite;
}
