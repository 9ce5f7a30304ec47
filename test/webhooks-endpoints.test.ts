import { Webhook } from 'standardwebhooks';
import {
  CancelDeletionDocument,
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  PingWebhookEndpointDocument,
  RotateWebhookEndpointSecretDocument,
  WebhookEndpointsDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { activateOne } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { startReceiver } from './support/webhook-receiver';
import { registerReceiver } from './support/webhooks';

/** Admins register, list, ping, rotate and delete endpoints; everyone else is refused and nothing changes. */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    SCHEDULER_INTERVAL: '1h',
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    WEBHOOK_DISABLE_AFTER: '1h',
  });
});
afterAll(() => server?.close());

const db = () => server.database.db;
const endpointRows = () => db().rows('SELECT * FROM webhook_endpoints ORDER BY id');

test('an admin registers an endpoint, sees it listed, pings it and deletes it; the secret is shown once', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const receiver = await startReceiver();
  const created = await mustRequest(
    server.url,
    CreateWebhookEndpointDocument,
    { url: receiver.url, eventTypes: ['deletion.completed', 'deletion.completed'] },
    ws.admins[0].token,
  );
  const { endpoint, secret } = created.createWebhookEndpoint;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  expect(endpoint).toMatchObject({ url: receiver.url, eventTypes: ['deletion.completed'], enabled: true });
  const listed = await mustRequest(server.url, WebhookEndpointsDocument, {}, ws.admins[0].token);
  expect(listed.webhookEndpoints.map((e) => e.id)).toEqual([endpoint.id]);
  expect(JSON.stringify(listed)).not.toContain(secret);

  receiver.secrets.push(secret);
  const ping = await mustRequest(server.url, PingWebhookEndpointDocument, { id: endpoint.id }, ws.admins[0].token);
  expect(ping.pingWebhookEndpoint).toEqual({ ok: true, status: 200, error: null });
  expect(receiver.received.map((r) => [r.payload.type, r.verified])).toEqual([['webhook.ping', true]]);

  const deleted = await mustRequest(server.url, DeleteWebhookEndpointDocument, { id: endpoint.id }, ws.admins[0].token);
  expect(deleted.deleteWebhookEndpoint).toBe(true);
  expect((await mustRequest(server.url, WebhookEndpointsDocument, {}, ws.admins[0].token)).webhookEndpoints).toEqual(
    [],
  );
});

test('after a rotation the old and the new secret both sign (the overlap)', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const oldReceiver = await startReceiver();
  const id = await registerReceiver(server.url, ws.admins[0], oldReceiver, ['deletion.activated']);
  const rotated = await mustRequest(server.url, RotateWebhookEndpointSecretDocument, { id }, ws.admins[0].token);
  const newSecret = rotated.rotateWebhookEndpointSecret.secret;
  expect(newSecret).not.toBe(oldReceiver.secrets[0]);
  await activateOne(server.url, ws.admins[0]);
  await server.app.scheduler.tick(new Date());
  const [message] = oldReceiver.received;
  expect(message.verified).toBe(true);
  const headers = {
    'webhook-id': message.id,
    'webhook-timestamp': message.timestamp,
    'webhook-signature': message.signature,
  };
  expect(() => new Webhook(newSecret).verify(message.body, headers)).not.toThrow();
  expect(message.signature.split(' ')).toHaveLength(2);
});

test('refuses members, unknown ids, unknown event types and other workspaces, changing nothing', async () => {
  const ws = await createWorkspace(db(), 1, 1);
  const other = await createWorkspace(db(), 1, 0);
  const receiver = await startReceiver();
  const id = await registerReceiver(server.url, ws.admins[0], receiver);
  const before = JSON.stringify(await endpointRows());
  const member = ws.members[0].token;
  const stranger = other.admins[0].token;
  const url = receiver.url;
  const cases: [Promise<{ errors?: unknown[] }>, string][] = [
    [
      request(server.url, CreateWebhookEndpointDocument, { url, eventTypes: ['deletion.completed'] }, member),
      'FORBIDDEN',
    ],
    [request(server.url, WebhookEndpointsDocument, {}, member), 'FORBIDDEN'],
    [request(server.url, DeleteWebhookEndpointDocument, { id }, member), 'FORBIDDEN'],
    [
      request(server.url, CreateWebhookEndpointDocument, { url, eventTypes: ['contact.deleted'] }, ws.admins[0].token),
      'BAD_USER_INPUT',
    ],
    [request(server.url, CreateWebhookEndpointDocument, { url, eventTypes: [] }, ws.admins[0].token), 'BAD_USER_INPUT'],
    [
      request(
        server.url,
        CreateWebhookEndpointDocument,
        { url: 'ftp://x.example', eventTypes: ['deletion.completed'] },
        ws.admins[0].token,
      ),
      'BAD_USER_INPUT',
    ],
    [request(server.url, DeleteWebhookEndpointDocument, { id }, stranger), 'NOT_FOUND'],
    [request(server.url, RotateWebhookEndpointSecretDocument, { id }, stranger), 'NOT_FOUND'],
    [request(server.url, PingWebhookEndpointDocument, { id }, stranger), 'NOT_FOUND'],
    [request(server.url, DeleteWebhookEndpointDocument, { id: 'nonsense' }, ws.admins[0].token), 'NOT_FOUND'],
    [
      request(server.url, CreateWebhookEndpointDocument, { url, eventTypes: ['deletion.completed'] }),
      'UNAUTHENTICATED',
    ],
  ];
  for (const [response, code] of cases) expect(errorCode((await response) as never)).toBe(code);
  expect((await mustRequest(server.url, WebhookEndpointsDocument, {}, stranger)).webhookEndpoints).toEqual([]);
  expect(JSON.stringify(await endpointRows())).toBe(before);
  expect(receiver.received).toEqual([]);
});

test('an endpoint failing longer than WEBHOOK_DISABLE_AFTER is disabled and every admin notified', async () => {
  const ws = await createWorkspace(db(), 2, 0);
  const receiver = await startReceiver(() => 500);
  const id = await registerReceiver(server.url, ws.admins[0], receiver, ['deletion.activated']);
  const first = await activateOne(server.url, ws.admins[0]);
  const t0 = Date.now();
  await server.app.scheduler.tick(new Date(t0));
  await server.app.scheduler.tick(new Date(t0 + 2 * 3_600_000));
  const endpoint = await db().one<{ enabled: boolean }>('SELECT enabled FROM webhook_endpoints WHERE id = $1', [id]);
  expect(endpoint!.enabled).toBe(false);
  const states = await db().rows<{ state: string }>('SELECT state FROM webhook_deliveries WHERE endpoint_id = $1', [
    id,
  ]);
  expect(states).toEqual([{ state: 'GAVE_UP' }]);
  const notified = await db().rows(
    "SELECT user_id FROM notifications WHERE workspace_id = $1 AND kind = 'WEBHOOK_ENDPOINT_DISABLED'",
    [ws.id],
  );
  expect(notified).toHaveLength(2);
  // Disabled: a new event is not even queued for it.
  await mustRequest(server.url, CancelDeletionDocument, { id: first }, ws.admins[1].token);
  await activateOne(server.url, ws.admins[1]);
  expect(await db().rows('SELECT 1 FROM webhook_deliveries WHERE endpoint_id = $1', [id])).toHaveLength(1);
  await server.app.scheduler.tick(new Date(t0 + 3 * 3_600_000));
  expect(receiver.received).toHaveLength(2);
});
