import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  MarkForDeletionDocument,
  UpdateDeletionSettingsDocument,
} from '../operations/generated';
import { consoleSuite, withContexts } from './support/browser';
import { mustRequest } from './support/clients';
import { signInToConsole } from './support/console-page';
import { archivedObjects } from './support/deletion';
import { createWorkspace } from './support/fixtures';

/** The console's retention settings, history and notification feed in Chromium. */
const suite = consoleSuite();

it('saves the retention settings and lists each change with who made it and what changed', async () => {
  const [alice, bob] = (await createWorkspace(suite.server.database.db, 2, 0)).admins;
  const input = { autoMarkAfterDays: 90, reminderHoursBefore: 24 };
  await mustRequest(suite.server.url, UpdateDeletionSettingsDocument, { input }, bob.token);

  await withContexts(suite.browser, 1, async ([context]) => {
    const page = await signInToConsole(context, suite.server.url, alice.token);
    // Bob's change arrived as an unread notification: the feed says who and what.
    await page
      .getByRole('listitem')
      .filter({ hasText: 'Deletion settings changed by ADMIN 1: auto-mark after off → 90 days' })
      .waitFor();
    await page.getByText(/^Last changed by ADMIN 1 at/).waitFor();
    expect(await page.getByLabel(/Mark archived objects automatically after/).inputValue()).toBe('90');

    await page.getByLabel(/Mark archived objects automatically after/).fill('');
    await page.getByLabel(/Remind admins before a deletion executes/).fill('48');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByRole('status').filter({ hasText: 'Settings saved: auto-mark off, reminder 48 hours.' }).waitFor();
    await page.getByText(/^Last changed by ADMIN 0 at/).waitFor();
    const changes = page.getByRole('table', { name: /^Changes to the settings/ });
    expect(await changes.getByRole('row').nth(1).innerText()).toMatch(
      /ADMIN 0\s+auto-mark after 90 days → off; reminder 24 hours → 48 hours before execution/,
    );
  });
  const [row] = await suite.server.database.db.rows<{
    auto_mark_after_days: number | null;
    reminder_hours_before: number;
  }>(
    `SELECT auto_mark_after_days, reminder_hours_before FROM deletion_settings WHERE workspace_id = (SELECT workspace_id FROM users WHERE id = $1)`,
    [alice.id],
  );
  expect(row).toEqual({ auto_mark_after_days: null, reminder_hours_before: 48 });
});

it('shows the history of deletions with what each held per type; caught-up notifications keep their actor', async () => {
  const [alice, bob] = (await createWorkspace(suite.server.database.db, 2, 0)).admins;
  for (let i = 0; i < 3; i++) {
    const refs = await archivedObjects(suite.server.url, bob, i === 0 ? 'DEAL' : 'CALL', 1);
    await mustRequest(suite.server.url, MarkForDeletionDocument, { refs }, bob.token);
    const { activateDeletion } = await mustRequest(suite.server.url, ActivateDeletionDocument, {}, bob.token);
    await mustRequest(suite.server.url, CancelDeletionDocument, { id: activateDeletion.id }, bob.token);
  }

  await withContexts(suite.browser, 1, async ([context]) => {
    const page = await signInToConsole(context, suite.server.url, alice.token);
    await page.getByRole('listitem').filter({ hasText: 'Deletion activated by ADMIN 1' }).first().waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Deletion cancelled by ADMIN 1' }).first().waitFor();
    const history = page.getByRole('table', { name: /^Deletions: 3 shown of 3/ });
    await history.waitFor();
    expect(await history.getByRole('row').nth(3).innerText()).toContain('Deals: 1 · 0 B');
    // A cancelled deletion's objects stay marked, so each activation held the earlier ones too.
    expect(await history.getByRole('row').nth(1).innerText()).toContain('Deals: 1 · 0 B; Calls: 2 · 0 B');
  });
});
