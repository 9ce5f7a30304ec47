import AxeBuilder from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';

/**
 * The console as the browser tests and the screenshot script drive it: sign in by pasting a
 * token, find rows by state, check a screen with axe-core and the width of a phone.
 */

/** Opens `/console` of `serverUrl` in `context` and signs in with `token`, as a user would. */
export async function signInToConsole(context: BrowserContext, serverUrl: string, token: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(new URL('/console', serverUrl).href);
  await page.getByLabel(/Token/).fill(`Bearer ${token}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

/** The recycle bin's rows in a deletion state (NONE, MARKED, PENDING). */
export const binRows = (page: Page, state?: string) =>
  page.locator(state ? `#archived-table tbody tr[data-state="${state}"]` : '#archived-table tbody tr');

/** axe-core's serious and critical violations on the page as it is now, as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
}

/** The page's scrolling width: at most the viewport's when nothing makes the page scroll sideways. */
export function pageScrollWidth(page: Page): Promise<number> {
  // Evaluated as text: the tests' TypeScript has no DOM types.
  return page.evaluate('document.scrollingElement.scrollWidth') as Promise<number>;
}

/** A phone's viewport (iPhone 12–15). */
export const PHONE = { width: 390, height: 844 };
