import { readFileSync } from 'node:fs';
import type { BrowserContext, Page, WebSocket as PageSocket } from 'playwright-core';
import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  DeletionDocument,
  DeletionReceiptDocument,
  MarkForDeletionDocument,
  UnmarkForDeletionDocument,
} from '../operations/generated';
import { consoleSuite, withContexts } from './support/browser';
import { mustRequest } from './support/clients';
import { archivedObjects } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { WsCloseCode } from '../src/ws/ws-close-codes';
import { STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';
import { warmUpSubscriptions } from './support/warm-up';

/**
 * The reference admin console (console/) in Debian's Chromium against a real server: what an
 * admin clicks, what another admin's open console shows live, and how refusals are shown.
 */
const suite = consoleSuite();

const consoleUrl = () => new URL('/console', suite.server.url).href;

/** The deletion events a page received over its graphql-ws socket, as they crossed the wire. */
class EventFrames {
  readonly events: { type: string; actor: { name: string } | null; deletion: { id: string } }[] = [];

  constructor(page: Page) {
    page.on('websocket', (socket: PageSocket) =>
      socket.on('framereceived', ({ payload }) => {
        const message = JSON.parse(payload.toString()) as { type: string; payload?: { data?: unknown } };
        const data = message.payload?.data as { deletionEvents?: EventFrames['events'][number] } | undefined;
        if (message.type === 'next' && data?.deletionEvents) this.events.push(data.deletionEvents);
      }),
    );
  }

  /** Warm-ups: PROGRESS about `deletionId`, with no actor. */
  warmUps(deletionId: string): number {
    return this.events.filter((e) => e.type === 'PROGRESS' && !e.actor && e.deletion.id === deletionId).length;
  }
}

/** Opens the console in `context` and signs in with `token` by pasting it, as a user would. */
async function openConsole(context: BrowserContext, token: string): Promise<{ page: Page; frames: EventFrames }> {
  const page = await context.newPage();
  const frames = new EventFrames(page);
  await page.goto(consoleUrl());
  await page.getByLabel(/Token/).fill(`Bearer ${token}`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return { page, frames };
}

const rowsIn = (page: Page, state: string) => page.locator(`#archived-table tbody tr[data-state="${state}"]`);

it(
  'admin A marks and activates, admin B sees it live; B cancels, A sees that live',
  async () => {
    const ws = await createWorkspace(suite.server.database.db, 2, 0);
    const [alice, bob] = ws.admins;
    // An old, cancelled deletion: the target of the warm-ups that prove B's subscription is live.
    const call = await archivedObjects(suite.server.url, bob, 'CALL', 1);
    await mustRequest(suite.server.url, MarkForDeletionDocument, { refs: call }, bob.token);
    const old = (await mustRequest(suite.server.url, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
    await mustRequest(suite.server.url, CancelDeletionDocument, { id: old.id }, bob.token);
    // A cancelled deletion's objects stay marked: unmarked here, so A's selection is only its contacts.
    await mustRequest(suite.server.url, UnmarkForDeletionDocument, { refs: call }, bob.token);
    await archivedObjects(suite.server.url, alice, 'CONTACT', 3);

    await withContexts(suite.browser, 2, async ([contextA, contextB]) => {
      const a = await openConsole(contextA, alice.token);
      const b = await openConsole(contextB, bob.token);
      for (const { page } of [a, b]) {
        await page.getByText('Live updates: connected').waitFor();
        await page.getByRole('button', { name: 'Show archived Contacts', exact: true }).click();
        await rowsIn(page, 'NONE').nth(2).waitFor();
      }
      await warmUpSubscriptions(suite.server.database.db, [
        { target: { workspaceId: ws.id, deletionId: old.id }, heard: () => b.frames.warmUps(old.id) },
      ]);

      // A selects the page, marks it (three contacts, red and labelled) and activates after confirming.
      await a.page.getByLabel('Select every object on this page').check();
      await a.page.getByRole('button', { name: 'Mark selected', exact: true }).click();
      await rowsIn(a.page, 'MARKED').nth(2).waitFor();
      expect(await rowsIn(a.page, 'MARKED').first().innerText()).toContain('Marked for deletion');
      await a.page.getByRole('button', { name: 'Activate permanent deletion of 3 marked objects' }).click();
      const dialog = a.page.getByRole('dialog', { name: 'Activate permanent deletion?' });
      expect(await dialog.innerText()).toContain('3 marked object(s)');
      await dialog.getByRole('button', { name: 'Activate deletion' }).click();
      await a.page.locator('#pending').waitFor();
      // Marking is closed while a deletion is pending: the buttons are disabled and a sentence says why.
      await a.page.getByText('Marking is closed while a deletion is pending').first().waitFor();
      await a.page.getByLabel('Select every object on this page').check();
      expect(await a.page.getByRole('button', { name: 'Unmark selected', exact: true }).isDisabled()).toBe(true);

      // B, who only watches, gets the notification over its socket and sees the rows turn PENDING.
      await b.page.getByRole('listitem').filter({ hasText: 'Deletion activated by ADMIN 0' }).waitFor();
      await rowsIn(b.page, 'PENDING').nth(2).waitFor();
      // The pending deletion's own objects, from Deletion.objects.
      const pendingObjects = b.page.locator('#pending-objects-table tbody tr[data-state="PENDING"]');
      await pendingObjects.nth(2).waitFor();
      expect(await pendingObjects.count()).toBe(3);
      expect(await rowsIn(b.page, 'PENDING').first().innerText()).toContain('In the pending deletion');
      expect(await b.page.locator('#archived-table tbody tr.state-pending').count()).toBe(3);
      const activated = b.frames.events.find((event) => event.type === 'ACTIVATED');
      expect(activated?.actor?.name).toBe('ADMIN 0');
      expect(await b.page.locator('[data-countdown]').innerText()).toMatch(/^\d+d \d+h \d+m \d+s$/);

      // B cancels (after confirming); A's pending panel goes, the notification arrives, and A's
      // status line no longer says the deletion was activated.
      await b.page.getByRole('button', { name: 'Cancel this deletion' }).click();
      const cancelDialog = b.page.getByRole('dialog', { name: 'Cancel the pending deletion?' });
      expect(await cancelDialog.innerText()).toContain('activated by ADMIN 0');
      await cancelDialog.getByRole('button', { name: 'Cancel deletion' }).click();
      await a.page.locator('#status').filter({ hasText: 'The pending deletion was cancelled by ADMIN 1.' }).waitFor();
      // The second such item: the catch-up already showed the old deletion's cancel, with its actor.
      await a.page.getByRole('listitem').filter({ hasText: 'Deletion cancelled by ADMIN 1' }).nth(1).waitFor();
      await a.page.getByText('No deletion is pending.').waitFor();
      await rowsIn(a.page, 'MARKED').nth(2).waitFor();
      const { deletion } = await mustRequest(
        suite.server.url,
        DeletionDocument,
        { id: activated!.deletion.id },
        alice.token,
      );
      expect(deletion).toMatchObject({ status: 'CANCELLED', cancelledBy: { id: bob.id } });
    });
  },
  STALL_GUARDED_TIMEOUT_MS,
);

it('marks by filter (skipping tasks not yet Removed or Verified), filters to the marked, unmarks one row, then all', async () => {
  const admin = (await createWorkspace(suite.server.database.db, 1, 0)).admins[0];
  await archivedObjects(suite.server.url, admin, 'TASK', 2, { status: 'REMOVED' });
  await archivedObjects(suite.server.url, admin, 'TASK', 1, { status: 'OPEN' });

  await withContexts(suite.browser, 1, async ([context]) => {
    const { page } = await openConsole(context, admin.token);
    await page.getByRole('button', { name: 'Show archived Tasks', exact: true }).click();
    await rowsIn(page, 'NONE').nth(2).waitFor();

    await page.getByRole('button', { name: 'Mark all archived Tasks', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Marked 2 object(s) (1 task(s) skipped' }).waitFor();
    await rowsIn(page, 'MARKED').nth(1).waitFor();
    expect(await rowsIn(page, 'NONE').count()).toBe(1);

    // The deletion-state filter lists the selection alone (archivedObjects with deletionState: [MARKED]).
    await page.getByLabel('Deletion state').selectOption('MARKED');
    await page.getByRole('table', { name: /^Archived Tasks: 2 shown of 2/ }).waitFor();
    expect(await rowsIn(page, 'MARKED').count()).toBe(2);
    await page.getByLabel('Deletion state').selectOption('');
    await page.getByRole('table', { name: /^Archived Tasks: 3 shown/ }).waitFor();

    const firstMarked = rowsIn(page, 'MARKED').first();
    const title = await firstMarked.getByRole('rowheader').innerText();
    // By keyboard: the re-rendered row's button keeps the focus, now offering the opposite action.
    const toggle = firstMarked.getByRole('button', { name: `Unmark ${title}` });
    const toggleId = await toggle.getAttribute('id');
    await toggle.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Unmarked 1 object(s).' }).waitFor();
    await rowsIn(page, 'NONE').nth(1).waitFor();
    expect(await rowsIn(page, 'MARKED').count()).toBe(1);
    const focused = page.locator(':focus');
    expect([await focused.getAttribute('id'), await focused.innerText()]).toEqual([toggleId, 'Mark']);

    await page.getByRole('button', { name: 'Unmark all archived Tasks' }).click();
    await rowsIn(page, 'NONE').nth(2).waitFor();
    const overview = page.getByRole('table', { name: /Objects per type/ });
    expect(await overview.getByRole('row', { name: /^Tasks/ }).innerText()).toContain('0 · 0 B');
  });
});

it('catches up on unread notifications when it connects', async () => {
  const ws = await createWorkspace(suite.server.database.db, 2, 0);
  const [alice, bob] = ws.admins;
  await mustRequest(
    suite.server.url,
    MarkForDeletionDocument,
    { refs: await archivedObjects(suite.server.url, bob, 'DEAL', 1) },
    bob.token,
  );
  await mustRequest(suite.server.url, ActivateDeletionDocument, {}, bob.token);

  await withContexts(suite.browser, 1, async ([context]) => {
    const { page, frames } = await openConsole(context, alice.token);
    await page.getByRole('listitem').filter({ hasText: 'Deletion activated' }).waitFor();
    expect(frames.events).toEqual([]);
  });
});

it('catches up after a reconnection on what it missed while disconnected', async () => {
  const ws = await createWorkspace(suite.server.database.db, 2, 0);
  const [alice, bob] = ws.admins;
  const refs = await archivedObjects(suite.server.url, bob, 'EMAIL', 1);
  await mustRequest(suite.server.url, MarkForDeletionDocument, { refs }, bob.token);

  await withContexts(suite.browser, 1, async ([context]) => {
    const { page, frames } = await openConsole(context, alice.token);
    await page.getByText('Live updates: connected').waitFor();
    // Offline, the browser cannot reconnect: the activation happens while the console has no socket.
    await context.setOffline(true);
    suite.server.app.server.closeSockets(WsCloseCode.EventsMissed);
    await page.getByText('Live updates: reconnecting…').waitFor();
    await mustRequest(suite.server.url, ActivateDeletionDocument, {}, bob.token);
    await context.setOffline(false);

    await page.getByText('Live updates: connected').waitFor();
    await page.getByRole('listitem').filter({ hasText: 'Deletion activated' }).waitFor();
    await page.locator('#pending').waitFor();
    expect(frames.events.filter((event) => event.type === 'ACTIVATED')).toEqual([]);
  });
});

it('refuses a bad token with UNAUTHENTICATED and keeps the sign-in form', async () => {
  await withContexts(suite.browser, 1, async ([context]) => {
    const { page } = await openConsole(context, 'not-a-token');
    await page.getByRole('alert').filter({ hasText: 'UNAUTHENTICATED' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // Evaluated in the page, as text: the tests' TypeScript has no DOM types.
    expect(await page.evaluate('Object.keys(sessionStorage)')).toEqual([]);
  });
});

it('shows each ended deletion’s receipt in the history: a download of the signed JWS and whether erasure was verified', async () => {
  const ws = await createWorkspace(suite.server.database.db, 1, 0);
  const [admin] = ws.admins;
  const refs = await archivedObjects(suite.server.url, admin, 'DEAL', 2);
  await mustRequest(suite.server.url, MarkForDeletionDocument, { refs }, admin.token);
  const activated = (await mustRequest(suite.server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
  await suite.server.app.scheduler.tick(new Date(new Date(activated.executeAfter as string).getTime() + 1_000));
  const { deletion } = await mustRequest(suite.server.url, DeletionReceiptDocument, { id: activated.id }, admin.token);
  const jws = deletion!.receipt!.jws;

  await withContexts(suite.browser, 1, async ([context]) => {
    const { page } = await openConsole(context, admin.token);
    const row = page.locator('#history-table tbody tr').filter({ hasText: 'Completed' });
    await row.waitFor();
    expect(await row.locator('.receipt-verified').innerText()).toBe('yes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`receipt-${activated.id}.jws`);
    const saved = await download.path();
    expect(readFileSync(saved, 'utf8')).toBe(jws);
  });
});
