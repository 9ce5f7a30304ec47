import { lookup } from 'node:dns/promises';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { CreateWebhookEndpointDocument, PingWebhookEndpointDocument } from '../operations/generated';
import { loadConfig } from '../src/config';
import { checkEndpointUrl, isPrivateAddress } from '../src/domain/webhooks/ssrf-guard';
import { errorCode, mustRequest, request } from './support/clients';
import { activateOne } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { startReceiver } from './support/webhook-receiver';
import { registerReceiver } from './support/webhooks';

/**
 * Webhooks never reach loopback, private, link-local or metadata addresses unless
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS=true: refused when the endpoint is registered, refused again when
 * a name resolves to one at send time, and a redirect is never followed.
 */
let guarded: TestServer;
let open: TestServer;

beforeAll(async () => {
  guarded = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  open = await startTestServer(
    { SCHEDULER_INTERVAL: '1h', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
    { database: guarded.database },
  );
});
afterAll(async () => {
  await open?.close();
  await guarded?.close();
});

const db = () => guarded.database.db;

test('tells private, loopback, link-local, metadata and reserved addresses from public ones', () => {
  const blocked = [
    '127.0.0.1',
    '127.9.9.9',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fd00:ec2::254',
    'fc00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '224.0.0.1',
  ];
  const allowed = ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'];
  expect(blocked.filter((address) => !isPrivateAddress(address))).toEqual([]);
  expect(allowed.filter((address) => isPrivateAddress(address))).toEqual([]);
});

test('refuses private addresses and loopback names when an endpoint is registered, changing nothing', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const receiver = await startReceiver();
  const port = new URL(receiver.url).port;
  const urls = [
    receiver.url,
    `http://localhost:${port}/hook`,
    `http://hooks.localhost:${port}/hook`,
    'http://10.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://[::1]/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://2130706433/hook',
    'http://user:pass@example.com/hook',
  ];
  // The machine's own name resolves to one of its addresses (127.0.0.1 here): refused by resolution.
  const own = await lookup(hostname()).catch(() => undefined);
  if (own && isPrivateAddress(own.address)) urls.push(`http://${hostname()}:${port}/hook`);
  for (const url of urls) {
    const response = await request(
      guarded.url,
      CreateWebhookEndpointDocument,
      { url, eventTypes: ['deletion.completed'] },
      ws.admins[0].token,
    );
    expect([url, errorCode(response)]).toEqual([url, 'BAD_USER_INPUT']);
  }
  expect(await db().rows('SELECT 1 FROM webhook_endpoints WHERE workspace_id = $1', [ws.id])).toEqual([]);
  expect(receiver.received).toEqual([]);
});

test('refuses a private address again at send time, and a ping to it', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const receiver = await startReceiver();
  // Registered where private networks are allowed (as a name might resolve publicly at registration).
  const id = await registerReceiver(open.url, ws.admins[0], receiver, ['deletion.activated']);
  await activateOne(guarded.url, ws.admins[0]);
  await guarded.app.scheduler.tick(new Date());
  expect(receiver.received).toEqual([]);
  const row = await db().one<{ state: string; lastError: string; attempts: number }>(
    'SELECT state, last_error AS "lastError", attempts FROM webhook_deliveries WHERE endpoint_id = $1',
    [id],
  );
  expect(row).toMatchObject({ state: 'FAILING', attempts: 1 });
  expect(row!.lastError).toMatch(/refused/);
  const ping = await mustRequest(guarded.url, PingWebhookEndpointDocument, { id }, ws.admins[0].token);
  expect(ping.pingWebhookEndpoint.ok).toBe(false);
  expect(ping.pingWebhookEndpoint.error).toMatch(/refused/);
  expect(receiver.received).toEqual([]);
});

test('does not follow a redirect, not even to an allowed address', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const target = await startReceiver();
  let redirected = 0;
  const redirector = http.createServer((req, res) => {
    redirected += 1;
    req.resume();
    res.writeHead(307, { location: target.url }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/hook`;
    const created = await mustRequest(
      open.url,
      CreateWebhookEndpointDocument,
      { url, eventTypes: ['deletion.activated'] },
      ws.admins[0].token,
    );
    await activateOne(open.url, ws.admins[0]);
    await open.app.scheduler.tick(new Date());
    expect(redirected).toBe(1);
    expect(target.received).toEqual([]);
    const row = await db().one<{ state: string; lastStatus: number }>(
      'SELECT state, last_status AS "lastStatus" FROM webhook_deliveries WHERE endpoint_id = $1',
      [created.createWebhookEndpoint.endpoint.id],
    );
    expect(row).toEqual({ state: 'FAILING', lastStatus: 307 });
  } finally {
    redirector.closeAllConnections();
    await new Promise<void>((resolve) => redirector.close(() => resolve()));
  }
});

test('refuses WEBHOOK_ALLOW_PRIVATE_NETWORKS=true and plain http endpoints in production', async () => {
  const production = { NODE_ENV: 'production', JWT_SECRET: 'a-production-secret-long-enough' };
  expect(() => loadConfig({ ...production, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' })).toThrow(/tests only/);
  const { webhooks } = loadConfig(production);
  expect(webhooks).toMatchObject({ allowPrivateNetworks: false, allowHttp: false, retryBaseDelayMs: 30_000 });
  await expect(checkEndpointUrl('http://93.184.216.34/hook', webhooks)).rejects.toMatchObject({
    code: 'BAD_USER_INPUT',
  });
  await expect(checkEndpointUrl('https://93.184.216.34/hook', webhooks)).resolves.toBeInstanceOf(URL);
});
