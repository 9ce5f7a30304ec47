import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  CreateWebhookEndpointDocument,
  MarkForDeletionDocument,
  PlaceLegalHoldDocument,
  UpdateDeletionSettingsDocument,
} from '../operations/generated';
import { launchBrowser, withContexts } from './support/browser';
import { mustRequest } from './support/clients';
import { binRows, pageScrollWidth, PHONE, seriousViolations, signInToConsole } from './support/console-page';
import { archivedObjects } from './support/deletion';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

/**
 * Every screen of the console, at desktop and phone width: no serious or critical axe-core
 * violation, no sideways page scroll at 390 px. With SCREENSHOTS=1 (`npm run screenshots`) the
 * same flows also write docs/console-<screen>.png, so the pictures in docs/console.md never drift.
 */
let server: TestServer;
let browser: Browser;
let ws: TestWorkspace;

const SCREENSHOTS = process.env.SCREENSHOTS === '1';
/** axe-core over a whole screen at two widths takes seconds each on a busy two-core machine. */
const AXE_TIMEOUT_MS = 5 * 60_000;
const DOCS = path.join(__dirname, '../docs');

beforeAll(async () => {
  // The webhooks screen lists an endpoint on this machine, which production settings would refuse.
  server = await startTestServer({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
  browser = await launchBrowser();
  ws = await createWorkspace(server.database.db, 2, 1);
  const [alice, bob] = ws.admins;
  await archivedObjects(server.url, alice, 'CONTACT', 4, { bytes: 2048 });
  await archivedObjects(server.url, bob, 'CONTACT', 3);
  await archivedObjects(server.url, alice, 'TASK', 2, { status: 'REMOVED' });
  await archivedObjects(server.url, ws.members[0], 'CONTACT', 2);
  // A cancelled deletion for the history, then a marked selection waiting for activation.
  const old = await archivedObjects(server.url, bob, 'DEAL', 2);
  await mustRequest(server.url, MarkForDeletionDocument, { refs: old }, bob.token);
  const { activateDeletion } = await mustRequest(server.url, ActivateDeletionDocument, {}, bob.token);
  await mustRequest(server.url, CancelDeletionDocument, { id: activateDeletion.id }, alice.token);
  const input = { autoMarkAfterDays: 90, reminderHoursBefore: 48 };
  await mustRequest(server.url, UpdateDeletionSettingsDocument, { input }, bob.token);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Checks the screen as it is now at desktop width and at 390 px; with SCREENSHOTS=1 saves it. */
async function checkScreen(page: Page, name: string): Promise<void> {
  expect(await seriousViolations(page)).toEqual([]);
  if (SCREENSHOTS) {
    mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, `console-${name}.png`), fullPage: true });
  }
  const desktop = page.viewportSize()!;
  await page.setViewportSize(PHONE);
  try {
    expect(await pageScrollWidth(page)).toBeLessThanOrEqual(PHONE.width);
    expect(await seriousViolations(page)).toEqual([]);
    if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, `console-${name}-phone.png`) });
  } finally {
    await page.setViewportSize(desktop);
  }
}

it(
  "an admin's screens (recycle bin, confirmation, pending deletion) pass axe and fit a phone",
  async () => {
    await withContexts(browser, 1, async ([context]) => {
      const page = await signInToConsole(context, server.url, ws.admins[0].token);
      await page.getByText('Live updates: connected').waitFor();
      await binRows(page).nth(6).waitFor();
      await page.getByLabel('Select every object on this page').check();
      await page.getByRole('button', { name: 'Mark selected', exact: true }).click();
      await binRows(page, 'MARKED').nth(6).waitFor();
      await page.getByLabel('Select CONTACT 0').first().check();
      await checkScreen(page, 'recycle-bin');

      await page.getByRole('button', { name: /^Activate permanent deletion/ }).click();
      await page.getByRole('dialog').waitFor();
      await checkScreen(page, 'confirm-activate');
      await page.getByRole('button', { name: 'Activate deletion' }).click();
      await page.locator('#pending').waitFor();
      await binRows(page, 'PENDING').nth(6).waitFor();
      await page.locator('#pending-section').scrollIntoViewIfNeeded();
      await checkScreen(page, 'pending');
      await mustRequest(server.url, CancelDeletionDocument, { id: await pendingId(page) }, ws.admins[1].token);
      await page.getByText('No deletion is pending.').waitFor();
      await page.locator('#status').filter({ hasText: 'cancelled by ADMIN 1' }).waitFor();
      await page.getByRole('table', { name: /^Changes to the settings/ }).waitFor();
      // The settings form and the history are part of the same page: checked again with their data, and pictured alone.
      await checkScreen(page, 'admin');
      for (const section of ['history', 'settings', 'notifications']) await sectionShot(page, section);
    });
  },
  AXE_TIMEOUT_MS,
);

it(
  "a member's screen passes axe and fits a phone",
  async () => {
    await withContexts(browser, 1, async ([context]) => {
      const page = await signInToConsole(context, server.url, ws.members[0].token);
      await page.getByRole('table', { name: /^Archived Contacts: 2 shown of 2/ }).waitFor();
      await checkScreen(page, 'member');
    });
  },
  AXE_TIMEOUT_MS,
);

it(
  "an admin's legal holds and webhooks, with a hold and an endpoint, pass axe and fit a phone",
  async () => {
    const other = await createWorkspace(server.database.db, 1, 0);
    const [admin] = other.admins;
    const refs = await archivedObjects(server.url, admin, 'DEAL', 2);
    await mustRequest(server.url, PlaceLegalHoldDocument, { reason: 'Case 2026-17', refs }, admin.token);
    const hook = { url: 'http://127.0.0.1:9/crm-archive-hook', eventTypes: ['hold.placed', 'hold.released'] };
    await mustRequest(server.url, CreateWebhookEndpointDocument, hook, admin.token);
    await withContexts(browser, 1, async ([context]) => {
      const page = await signInToConsole(context, server.url, admin.token);
      await page.getByRole('button', { name: 'Show archived Deals', exact: true }).click();
      await page.getByRole('button', { name: 'Hold the 2 archived object(s) shown above' }).waitFor();
      await page.getByRole('table', { name: /^Legal holds/ }).waitFor();
      await page.locator('#webhook-endpoints h3').filter({ hasText: hook.url }).waitFor();
      await checkScreen(page, 'holds-webhooks');
      for (const section of ['holds', 'webhooks']) await sectionShot(page, section);
    });
  },
  AXE_TIMEOUT_MS,
);

/** With SCREENSHOTS=1, a picture of one section of the page (docs/console-<id>.png). */
async function sectionShot(page: Page, id: string): Promise<void> {
  if (SCREENSHOTS) await page.locator(`#${id}`).screenshot({ path: path.join(DOCS, `console-${id}.png`) });
}

/** The pending deletion's id, from the database (the page shows no ids). */
async function pendingId(_page: Page): Promise<string> {
  const [row] = await server.database.db.rows<{ id: string }>(
    `SELECT id FROM deletions WHERE workspace_id = $1 AND status = 'PENDING'`,
    [ws.id],
  );
  return row.id;
}
