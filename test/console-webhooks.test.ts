import { consoleSuite, withContexts } from './support/browser';
import { createWorkspace } from './support/fixtures';
import { STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';
import { startReceiver } from './support/webhook-receiver';

/** The console's webhooks page in Chromium: add an endpoint (secret shown once), ping it, rotate, delete. */
const suite = consoleSuite({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });

it(
  'an admin adds an endpoint, pings it, rotates its secret and deletes it from the console',
  async () => {
    const ws = await createWorkspace(suite.server.database.db, 1, 0);
    const receiver = await startReceiver();
    await withContexts(suite.browser, 1, async ([context]) => {
      const page = await context.newPage();
      page.on('dialog', (dialog) => void dialog.accept());
      await page.goto(new URL('/console', suite.server.url).href);
      await page.getByLabel(/Token/).fill(`Bearer ${ws.admins[0].token}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByLabel('Endpoint URL').fill(receiver.url);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const status = page.locator('#status');
      await status.getByText(/signing secret, shown this once: whsec_/).waitFor();
      receiver.secrets.push(/(whsec_\S+)/.exec((await status.textContent())!)![1]);
      await page.locator('#webhook-endpoints h3', { hasText: receiver.url }).waitFor();

      await page.getByRole('button', { name: 'Send test ping' }).click();
      await status.getByText('answered 200').waitFor();
      expect(receiver.received.map((r) => [r.payload.type, r.verified])).toEqual([['webhook.ping', true]]);

      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await status.getByText(/New secret for .* whsec_/).waitFor();
      await page.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByText('No webhook endpoint yet.').waitFor();
    });
    expect(
      await suite.server.database.db.rows('SELECT 1 FROM webhook_endpoints WHERE workspace_id = $1', [ws.id]),
    ).toEqual([]);
  },
  STALL_GUARDED_TIMEOUT_MS,
);
