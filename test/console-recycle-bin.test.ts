import type { Page, Route } from 'playwright-core';
import { ActivateDeletionDocument, ArchiveObjectsDocument, MarkForDeletionDocument } from '../operations/generated';
import { consoleSuite, withContexts } from './support/browser';
import { mustRequest } from './support/clients';
import { binRows, signInToConsole } from './support/console-page';
import { createWorkspace, TestUser } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { batchDeletionIdSql } from '../src/domain/deletion/batch-membership';

/** The console's recycle bin in Chromium: search, filters, bulk restore, and confirmations that can be declined. */
const suite = consoleSuite();

/**
 * Holds the page's next `ArchivedObjects` request until `release`; `requested` resolves once it was
 * sent. Every other request passes, then and after (the route stays for the page's life: removing
 * a route while one of its requests is held fails that request).
 */
async function holdNextArchivedObjects(page: Page) {
  let sent!: () => void;
  let release!: () => void;
  const requested = new Promise<void>((resolve) => (sent = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding = true;
  await page.route('**/graphql', async (route: Route) => {
    if (holding && route.request().postData()?.includes('query ArchivedObjects')) {
      holding = false;
      sent();
      await released;
    }
    await route.continue();
  });
  return { requested, release };
}

/** Creates and archives contacts titled `titles`, created and archived by `user`. */
async function archiveContacts(user: TestUser, titles: string[]) {
  const refs = [];
  for (const title of titles) refs.push(await createObject(suite.server.url, user, 'CONTACT', title));
  await mustRequest(suite.server.url, ArchiveObjectsDocument, { refs }, user.token);
  return refs;
}

it('searches by title, date, state and who archived, and restores a selection in bulk', async () => {
  const ws = await createWorkspace(suite.server.database.db, 2, 0);
  const [alice, bob] = ws.admins;
  await archiveContacts(alice, ['Acme lead 1', 'Acme lead 2', 'Acme lead 3']);
  const bobs = await archiveContacts(bob, ['Beta one', 'Beta two']);

  await withContexts(suite.browser, 1, async ([context]) => {
    const page = await signInToConsole(context, suite.server.url, alice.token);
    await page.getByRole('table', { name: /^Archived Contacts: 5 shown of 5/ }).waitFor();
    expect(await binRows(page).first().innerText()).toContain('ADMIN 1');

    await page.getByLabel('Title contains').fill('acme');
    await page.getByLabel('Title contains').press('Enter');
    await page.getByRole('table', { name: /^Archived Contacts: 3 shown of 3/ }).waitFor();
    // The date inputs take the browser's local day; the tests run in the same time zone.
    const today = new Date().toLocaleDateString('sv');
    await page.getByLabel('Archived until').fill(new Date(Date.now() - 86_400_000).toLocaleDateString('sv'));
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByText('No archived contacts match these filters.').waitFor();
    await page.getByLabel('Archived until').fill(today);
    await page.getByLabel('Archived from').fill(today);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('table', { name: /^Archived Contacts: 3 shown of 3/ }).waitFor();

    // The cleared list is held back until another filter has changed: that change searches with the
    // filters cleared, not with the ones still drawn (the race a slow answer used to lose).
    const cleared = await holdNextArchivedObjects(page);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await cleared.requested;
    await page.getByLabel('Archived by').selectOption({ label: 'ADMIN 1' });
    cleared.release();
    await page.getByRole('table', { name: /^Archived Contacts: 2 shown/ }).waitFor();
    await page.getByLabel('Deletion state').selectOption('MARKED');
    await page.getByText('No archived contacts match these filters.').waitFor();
    await page.getByLabel('Deletion state').selectOption('');
    await page.getByRole('table', { name: /^Archived Contacts: 2 shown/ }).waitFor();

    await page.getByLabel('Select Beta one').check();
    await page.getByLabel('Select Beta two').check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Restore selected' }).click();
    await page.getByRole('status').filter({ hasText: 'Restored 2 object(s)' }).waitFor();
    await page.getByText('No archived contacts match these filters.').waitFor();
  });
  const rows = await suite.server.database.db.rows<{ archived_at: Date | null }>(
    'SELECT archived_at FROM contacts WHERE id = ANY($1::uuid[])',
    [bobs.map((ref) => ref.id)],
  );
  expect(rows).toEqual([{ archived_at: null }, { archived_at: null }]);
});

it('declining the Activate or Cancel confirmation (button or Escape) changes nothing', async () => {
  const admin = (await createWorkspace(suite.server.database.db, 1, 0)).admins[0];
  const refs = await archiveContacts(admin, ['Keep me']);
  await mustRequest(suite.server.url, MarkForDeletionDocument, { refs }, admin.token);
  const deletions = () => suite.server.database.db.rows('SELECT id, status FROM deletions ORDER BY id');

  await withContexts(suite.browser, 1, async ([context]) => {
    const page = await signInToConsole(context, suite.server.url, admin.token);
    const activate = page.getByRole('button', { name: 'Activate permanent deletion of 1 marked object' });
    const before = [await snapshot(suite.server.database.db), JSON.stringify(await deletions())];
    for (const decline of ['button', 'Escape']) {
      await activate.click();
      const dialog = page.getByRole('dialog', { name: 'Activate permanent deletion?' });
      await dialog.waitFor();
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Keep as is');
      if (decline === 'Escape') await page.keyboard.press('Escape');
      else await dialog.getByRole('button', { name: 'Keep as is' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate('document.activeElement.id')).toBe('activate');
    }
    expect([await snapshot(suite.server.database.db), JSON.stringify(await deletions())]).toEqual(before);

    await mustRequest(suite.server.url, ActivateDeletionDocument, {}, admin.token);
    await page.reload();
    await page.getByRole('button', { name: 'Cancel this deletion' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel the pending deletion?' });
    expect(await dialog.innerText()).toContain('1 object(s)');
    await dialog.getByRole('button', { name: 'Keep as is' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.locator('#pending').waitFor();
  });
  const [deletion] = await suite.server.database.db.rows<{ status: string }>(
    `SELECT status FROM deletions d JOIN contacts c ON d.id = ${batchDeletionIdSql('c')} WHERE c.id = $1`,
    [refs[0].id],
  );
  expect(deletion.status).toBe('PENDING');
});

it('a member sees and restores their own archived objects, without admin queries or the event socket', async () => {
  const ws = await createWorkspace(suite.server.database.db, 1, 2);
  const [member, other] = ws.members;
  await archiveContacts(member, ['Mine 1', 'Mine 2']);
  await archiveContacts(other, ['Not mine']);

  await withContexts(suite.browser, 1, async ([context]) => {
    const queries: string[] = [];
    const sockets: string[] = [];
    context.on('request', (request) => {
      if (request.url().endsWith('/graphql') && request.method() === 'POST') queries.push(request.postData() ?? '');
    });
    context.on('page', (opened) => opened.on('websocket', (socket) => sockets.push(socket.url())));
    const page = await signInToConsole(context, suite.server.url, member.token);
    await page.getByText('Signed in as MEMBER 0 (member)').waitFor();
    await page.getByRole('table', { name: /^Archived Contacts: 2 shown of 2/ }).waitFor();
    expect(await page.getByText('Not mine').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Mark/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'Restore Mine 1' }).click();
    await page.getByRole('status').filter({ hasText: 'Restored 1 object(s)' }).waitFor();
    await page.getByRole('table', { name: /^Archived Contacts: 1 shown of 1/ }).waitFor();

    expect(await page.getByText(/FORBIDDEN|reconnecting/).count()).toBe(0);
    expect(sockets).toEqual([]);
    const operations = queries.map((body) => (JSON.parse(body) as { query: string }).query.match(/^\w+ (\w+)/)?.[1]);
    expect(new Set(operations)).toEqual(new Set(['Me', 'ArchivedObjects', 'RestoreObjects']));
  });
});
