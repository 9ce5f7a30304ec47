import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  DeletionDeliveriesDocument,
  MarkForDeletionDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { activateOne, archivedObjects } from './support/deletion';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';
import { startReceiver } from './support/webhook-receiver';
import { registerReceiver } from './support/webhooks';

/**
 * Signed webhooks from the outbox: every committed transition reaches every subscribed endpoint,
 * signed (verified here with the standardwebhooks library), retried with the same webhook-id until
 * the receiver takes it, once per endpoint however many instances tick, and a slow receiver holds
 * up nobody. Ticks run at moved times; retries start after WEBHOOK_RETRY_BASE_DELAY (1 s here).
 */
const HOUR_MS = 3_600_000;
const ENV = { SCHEDULER_INTERVAL: '1h', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_RETRY_BASE_DELAY: '1s' };

let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer(ENV);
  b = await startTestServer(ENV, { database: a.database });
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const db = () => a.database.db;
const tick = (at = new Date()) => a.app.scheduler.tick(at);

async function deliveriesOf(deletionId: string, token: string) {
  return (await mustRequest(a.url, DeletionDeliveriesDocument, { id: deletionId }, token)).deletion!.deliveries;
}

test('sends each committed transition to each subscribed endpoint, signed, with ids and counts only', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const all = await startReceiver();
  const completedOnly = await startReceiver();
  await registerReceiver(a.url, ws.admins[0], all);
  await registerReceiver(a.url, ws.admins[0], completedOnly, ['deletion.completed']);
  const deletionId = await activateOne(a.url, ws.admins[0]);
  await mustRequest(a.url, CancelDeletionDocument, { id: deletionId }, ws.admins[0].token);
  await tick();

  expect(all.received.map((r) => r.payload.type)).toEqual(['deletion.activated', 'deletion.cancelled']);
  expect(all.received.every((r) => r.verified)).toBe(true);
  expect(new Set(all.received.map((r) => r.id)).size).toBe(2);
  expect(completedOnly.received).toEqual([]);
  const [activated] = all.received;
  expect(Object.keys(activated.payload).sort()).toEqual(['data', 'timestamp', 'type']);
  expect(Object.keys(activated.payload.data).sort()).toEqual(['deletionId', 'removedUrl', 'total', 'workspaceId']);
  expect(activated.payload.data).toMatchObject({
    deletionId,
    workspaceId: ws.id,
    total: { count: 1, bytes: 0 },
  });
  expect(String(activated.payload.data.removedUrl)).toMatch(
    new RegExp(`^${new URL(a.url).origin}/deletions/${deletionId}/removed\\?token=`),
  );
  const deliveries = await deliveriesOf(deletionId, ws.admins[0].token);
  expect(deliveries.map((d) => [d.eventType, d.state, d.attempts, d.lastStatus])).toEqual([
    ['deletion.activated', 'DELIVERED', 1, 200],
    ['deletion.cancelled', 'DELIVERED', 1, 200],
  ]);
});

test('sends nothing for a transition that rolled back', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const receiver = await startReceiver();
  await registerReceiver(a.url, ws.admins[0], receiver);
  const refs = await archivedObjects(a.url, ws.admins[0], 'CONTACT', 1);
  await mustRequest(a.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
  // Fails at commit, after the outbox row was written: the whole activation rolls back.
  await db().rows(`
    CREATE OR REPLACE FUNCTION refuse_activation() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.workspace_id = '${ws.id}' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$`);
  await db().rows(`CREATE CONSTRAINT TRIGGER refuse_activation AFTER INSERT ON deletions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse_activation()`);
  try {
    const refused = await request(a.url, ActivateDeletionDocument, {}, ws.admins[0].token);
    expect(errorCode(refused)).toBe('INTERNAL_SERVER_ERROR');
  } finally {
    await db().rows('DROP TRIGGER refuse_activation ON deletions');
  }
  await tick();
  expect(receiver.received).toEqual([]);
  const rows = await db().rows('SELECT 1 FROM webhook_deliveries WHERE workspace_id = $1', [ws.id]);
  expect(rows).toEqual([]);
});

test('retries a receiver that is down with the same webhook-id until it takes the event, once', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  let down = 3;
  const receiver = await startReceiver(() => (down-- > 0 ? 503 : 200));
  await registerReceiver(a.url, ws.admins[0], receiver, ['deletion.activated']);
  const deletionId = await activateOne(a.url, ws.admins[0]);
  const t0 = Date.now();
  await tick(new Date(t0));
  expect(receiver.received.map((r) => r.status)).toEqual([503]);
  // Not due again before the backoff: a tick at the same time makes no attempt.
  await tick(new Date(t0));
  expect(receiver.received).toHaveLength(1);
  let [delivery] = await deliveriesOf(deletionId, ws.admins[0].token);
  expect([delivery.state, delivery.attempts, delivery.lastStatus]).toEqual(['FAILING', 1, 503]);
  for (let hour = 1; hour <= 3; hour++) await tick(new Date(t0 + hour * HOUR_MS));
  expect(receiver.received.map((r) => r.status)).toEqual([503, 503, 503, 200]);
  expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
  expect(receiver.received.every((r) => r.verified)).toBe(true);
  expect(receiver.accepted()).toHaveLength(1);
  [delivery] = await deliveriesOf(deletionId, ws.admins[0].token);
  expect([delivery.state, delivery.attempts, delivery.lastStatus]).toEqual(['DELIVERED', 4, 200]);
  await tick(new Date(t0 + 10 * HOUR_MS));
  expect(receiver.received).toHaveLength(4);
});

test('two instances ticking at once send each event once per endpoint', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  const receivers = await Promise.all([startReceiver(), startReceiver(), startReceiver()]);
  for (const receiver of receivers) await registerReceiver(a.url, ws.admins[0], receiver);
  for (let i = 0; i < 3; i++) {
    const id = await activateOne(b.url, ws.admins[0]);
    await mustRequest(b.url, CancelDeletionDocument, { id }, ws.admins[0].token);
  }
  const now = new Date();
  await Promise.all([a.app.scheduler.tick(now), b.app.scheduler.tick(now), a.app.scheduler.tick(now)]);
  for (const receiver of receivers) {
    expect(receiver.received).toHaveLength(6);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(6);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  }
});

test('a slow receiver does not hold up the others', async () => {
  const ws = await createWorkspace(db(), 1, 0);
  let release: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const slow = await startReceiver(async () => {
    await released;
    return 200;
  });
  const fast = await startReceiver();
  await registerReceiver(a.url, ws.admins[0], slow);
  await registerReceiver(a.url, ws.admins[0], fast);
  await activateOne(a.url, ws.admins[0]);
  const ticking = tick();
  try {
    await waitFor(() => fast.accepted().length === 1 && slow.received.length === 1, {
      what: 'the fast receiver to get its event while the slow one still holds its request',
    });
    expect(slow.received[0].status).toBe(0);
  } finally {
    release();
    await ticking;
  }
  expect(slow.accepted()).toHaveLength(1);
});

test("another workspace's endpoints and deliveries are invisible, and members may not manage any", async () => {
  const ws: TestWorkspace = await createWorkspace(db(), 1, 1);
  const other = await createWorkspace(db(), 1, 0);
  const receiver = await startReceiver();
  await registerReceiver(a.url, ws.admins[0], receiver);
  const deletionId = await activateOne(a.url, ws.admins[0]);
  await tick();
  const data = await mustRequest(a.url, DeletionDeliveriesDocument, { id: deletionId }, other.admins[0].token);
  expect(data.deletion).toBeNull();
  const member = await request(a.url, DeletionDeliveriesDocument, { id: deletionId }, ws.members[0].token);
  expect(errorCode(member)).toBe('FORBIDDEN');
  expect(await deliveriesOf(deletionId, ws.admins[0].token)).toHaveLength(1);
});

test('an activation runs as many statements with five endpoints as with none (the outbox is one INSERT … SELECT)', async () => {
  /** Statements the activation request ran, in a fresh workspace with `endpoints` endpoints. */
  const activationStatements = async (endpoints: number): Promise<number> => {
    const ws = await createWorkspace(db(), 1, 0);
    for (let i = 0; i < endpoints; i++) await registerReceiver(a.url, ws.admins[0], await startReceiver());
    const refs = await archivedObjects(a.url, ws.admins[0], 'CONTACT', 2);
    await mustRequest(a.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
    const before = a.app.services.db.statementCount;
    await mustRequest(a.url, ActivateDeletionDocument, {}, ws.admins[0].token);
    return a.app.services.db.statementCount - before;
  };
  const without = await activationStatements(0);
  expect(await activationStatements(1)).toBe(without);
  expect(await activationStatements(5)).toBe(without);
  const rows = await db().rows('SELECT 1 FROM webhook_deliveries WHERE event_type = $1', ['deletion.activated']);
  expect(rows.length).toBeGreaterThanOrEqual(6);
});
