import { consoleSuite, withContexts } from './support/browser';
import { archivedObjects } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';

/** The console's Legal holds section in Chromium against a real server: place on what is shown, list, release. */
const suite = consoleSuite();

it(
  'places a legal hold on the archived objects shown, which then cannot be marked, and releases it',
  async () => {
    const admin = (await createWorkspace(suite.server.database.db, 1, 0)).admins[0];
    const deals = await archivedObjects(suite.server.url, admin, 'DEAL', 2);

    await withContexts(suite.browser, 1, async ([context]) => {
      const page = await context.newPage();
      await page.goto(new URL('/console', suite.server.url).href);
      await page.getByLabel(/Token/).fill(`Bearer ${admin.token}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Show archived Deals', exact: true }).click();
      await page.getByRole('button', { name: 'Hold the 2 archived object(s) shown above' }).waitFor();

      await page.getByLabel(/^Reason/).fill('Case 2026-17');
      await page.getByRole('button', { name: 'Hold the 2 archived object(s) shown above' }).click();
      await page.getByRole('status').filter({ hasText: 'Legal hold placed on 2 object(s)' }).waitFor();
      const holds = page.getByRole('table', { name: /^Legal holds/ });
      await holds
        .getByRole('row', { name: /Case 2026-17/ })
        .filter({ hasText: 'active' })
        .waitFor();
      await page.locator('#archived-table').getByText('on legal hold').nth(1).waitFor();
      await page.getByRole('listitem').filter({ hasText: 'Legal hold placed' }).first().waitFor();

      await page.getByRole('button', { name: 'Release the hold "Case 2026-17"' }).click();
      await page.getByRole('status').filter({ hasText: 'Legal hold "Case 2026-17" released.' }).waitFor();
      await holds
        .getByRole('row', { name: /Case 2026-17/ })
        .filter({ hasText: 'released by' })
        .waitFor();
      await page
        .getByRole('button', { name: /^Mark DEAL/ })
        .nth(1)
        .waitFor();
    });
    const held = await suite.server.database.db.rows(
      'SELECT 1 FROM deals WHERE id = ANY($1::uuid[]) AND held_count > 0',
      [deals.map((d) => d.id)],
    );
    expect(held).toEqual([]);
  },
  STALL_GUARDED_TIMEOUT_MS,
);
