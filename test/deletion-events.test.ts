import { print } from 'graphql';
import { Client } from 'pg';
import type { Client as WsClient } from 'graphql-ws';
import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  DeletionEventsDocument,
  DeletionEventsSubscription,
  MarkForDeletionDocument,
} from '../operations/generated';
import { DELETION_EVENTS_CHANNEL } from '../src/domain/deletion/deletion-events';
import { connectWs, errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, verifyProblems } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';

let server: TestServer;
let ws: TestWorkspace;
let other: TestWorkspace;
let listener: Client;
let heard: Record<string, unknown>[] = [];

beforeAll(async () => {
  server = await startTestServer();
  listener = new Client({ connectionString: server.database.url });
  await listener.connect();
  listener.on('notification', (n) => heard.push(JSON.parse(n.payload!) as Record<string, unknown>));
  await listener.query(`LISTEN ${DELETION_EVENTS_CHANNEL}`);
});
// Each test gets its own workspaces and hears only its own messages: no test reads another's leftovers.
beforeEach(async () => {
  ws = await createWorkspace(server.database.db, 3, 1);
  other = await createWorkspace(server.database.db, 1, 0);
  heard = [];
});
// Sockets are closed even when a test fails, so Jest exits on its own.
const clients = new Set<WsClient>();
afterEach(async () => {
  await Promise.all([...clients].map((client) => client.dispose()));
  clients.clear();
});
afterAll(async () => {
  await listener?.end();
  if (server) expect(await verifyProblems(server.app.services)).toEqual([]);
  await server?.close();
});

/** Resolves once `predicate` holds, polling. */
function until(predicate: () => boolean, what: string): Promise<void> {
  return waitFor(predicate, { what });
}

const SENTINEL = { sentinel: true };

/**
 * Everything about this test's workspaces heard before a sentinel NOTIFY sent now. PostgreSQL delivers
 * notifications in commit order, so once the sentinel arrives every message committed before it has too.
 */
async function heardSoFar(): Promise<Record<string, unknown>[]> {
  await server.database.db.rows('SELECT pg_notify($1, $2)', [DELETION_EVENTS_CHANNEL, JSON.stringify(SENTINEL)]);
  await until(() => heard.some((m) => m.sentinel === true), 'the sentinel notification');
  const before = heard
    .slice(
      0,
      heard.findIndex((m) => m.sentinel === true),
    )
    .filter((m) => m.workspaceId === ws.id || m.workspaceId === other.id);
  heard = heard.filter((m) => m.sentinel !== true);
  return before;
}

type Received = {
  data?: DeletionEventsSubscription | null;
  errors?: readonly { message: string; extensions?: Record<string, unknown> }[];
};

/** Subscribes over a real graphql-ws socket and collects every message. */
async function subscribe(user: TestUser): Promise<{ received: Received[]; client: WsClient }> {
  const { client } = connectWs(server.wsUrl, user.token);
  clients.add(client);
  const received: Received[] = [];
  client.subscribe<DeletionEventsSubscription>(
    { query: print(DeletionEventsDocument) },
    {
      next: (value) => received.push(value as Received),
      error: (error) => received.push({ errors: Array.isArray(error) ? error : [{ message: String(error) }] }),
      complete: () => undefined,
    },
  );
  // The subscription is live once the server has registered it; a round trip over the socket proves that.
  await new Promise<void>((resolve, reject) =>
    client.subscribe({ query: '{ me { id } }' }, { next: () => undefined, error: reject, complete: resolve }),
  );
  return { received, client };
}

async function markAndActivate(admin: TestUser) {
  const refs = await archivedObjects(server.url, admin, 'CONTACT', 2, { bytes: 10 });
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  return (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
}

describe('deletion events', () => {
  it('NOTIFY carries exactly the committed ACTIVATED and CANCELLED messages, ids only', async () => {
    const [admin, admin2] = ws.admins;
    const empty = await request(server.url, ActivateDeletionDocument, {}, admin.token);
    expect(errorCode(empty)).toBe('CONFLICT');
    const deletion = await markAndActivate(admin);
    const refusedAgain = await request(server.url, ActivateDeletionDocument, {}, admin2.token);
    expect(errorCode(refusedAgain)).toBe('CONFLICT');
    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin2.token);
    expect(await heardSoFar()).toEqual([
      {
        type: 'ACTIVATED',
        workspaceId: ws.id,
        deletionId: deletion.id,
        actorId: admin.id,
        occurredAt: deletion.activatedAt,
      },
      {
        type: 'CANCELLED',
        workspaceId: ws.id,
        deletionId: deletion.id,
        actorId: admin2.id,
        occurredAt: expect.any(String),
      },
    ]);
  });

  it('publishes nothing for an activation that rolls back at commit', async () => {
    const db = server.database.db;
    const refs = await archivedObjects(server.url, ws.admins[0], 'CONTACT', 2, { bytes: 10 });
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
    // A deferred constraint trigger fails the commit itself: after pg_notify was queued in the transaction.
    await db.rows(`CREATE FUNCTION test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'commit refused by test'; END $$`);
    await db.rows(`CREATE CONSTRAINT TRIGGER test_fail_commit AFTER INSERT ON deletions
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_commit()`);
    try {
      const before = await db.rows('SELECT id FROM deletions');
      const failed = await request(server.url, ActivateDeletionDocument, {}, ws.admins[0].token);
      expect(errorCode(failed)).toBe('INTERNAL_SERVER_ERROR');
      expect(await db.rows('SELECT id FROM deletions')).toEqual(before);
    } finally {
      await db.rows('DROP TRIGGER test_fail_commit ON deletions');
      await db.rows('DROP FUNCTION test_fail_commit()');
    }
    // A committed change afterwards is heard, and nothing before it.
    const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, ws.admins[0].token)).activateDeletion;
    expect((await heardSoFar()).map((m) => [m.type, m.deletionId])).toEqual([['ACTIVATED', deletion.id]]);
    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, ws.admins[0].token);
  });

  it('the subscription delivers ACTIVATED and CANCELLED with the full deletion and actor to the workspace’s admins only', async () => {
    const [admin, admin2, admin3] = ws.admins;
    const subscribers = await Promise.all([subscribe(admin), subscribe(admin2), subscribe(admin3)]);
    const outsider = await subscribe(other.admins[0]);
    const member = await subscribe(ws.members[0]);
    expect(member.received).toHaveLength(1);
    expect(member.received[0].errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const byIds = jest.spyOn(server.app.services.deletions, 'byIds');
    const deletion = await markAndActivate(admin);
    await until(() => subscribers.every((s) => s.received.length >= 1), 'ACTIVATED for every admin');
    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin2.token);
    await until(() => subscribers.every((s) => s.received.length >= 2), 'CANCELLED for every admin');
    // Read once per message, shared by the three subscribers.
    expect(byIds.mock.calls.filter(([, ids]) => ids.includes(deletion.id))).toHaveLength(2);
    byIds.mockRestore();

    for (const { received } of subscribers) {
      expect(received.map((r) => r.errors)).toEqual([undefined, undefined]);
      const [activated, cancelled] = received.map((r) => r.data!.deletionEvents);
      expect(activated).toMatchObject({
        type: 'ACTIVATED',
        actor: { id: admin.id },
        deletion: { id: deletion.id, status: 'PENDING', activatedBy: { id: admin.id } },
      });
      expect(activated.deletion!.total).toEqual({ count: 2, bytes: 10 });
      expect(activated.deletion!.byType).toEqual(deletion.byType);
      expect(cancelled).toMatchObject({
        type: 'CANCELLED',
        actor: { id: admin2.id },
        deletion: { id: deletion.id, status: 'CANCELLED', cancelledBy: { id: admin2.id } },
      });
    }
    // The other workspace's admin hears its own workspace's event, and nothing before it.
    const foreign = await markAndActivate(other.admins[0]);
    await until(() => outsider.received.length >= 1, 'the other workspace’s event');
    expect(outsider.received.map((r) => r.data?.deletionEvents.deletion!.id)).toEqual([foreign.id]);
    expect(member.received).toHaveLength(1);
    for (const s of [...subscribers, outsider, member]) await s.client.dispose();
  });

  it('re-reads the subscriber’s role at each event, in one statement for all subscribers: a demoted admin gets FORBIDDEN', async () => {
    const [admin, admin2, admin3] = ws.admins;
    const subscribers = await Promise.all([subscribe(admin), subscribe(admin2), subscribe(admin3)]);
    await server.database.db.rows(`UPDATE users SET role = 'MEMBER' WHERE id = $1`, [admin3.id]);
    try {
      const byIds = jest.spyOn(server.app.services.users, 'byIds');
      const deletion = await markAndActivate(admin);
      await until(() => subscribers.every((s) => s.received.length >= 1), 'the event for every subscriber');
      const [kept, kept2, demoted] = subscribers.map((s) => s.received[0]);
      expect(kept.data?.deletionEvents.deletion!.id).toBe(deletion.id);
      expect(kept2.data?.deletionEvents.deletion!.id).toBe(deletion.id);
      // The subscription ends with graphql-ws's `error` message, without the event's data.
      expect(demoted).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })] });
      expect(byIds.mock.calls.filter(([ids]) => ids.includes(admin3.id))).toEqual([
        [expect.arrayContaining([admin.id, admin2.id, admin3.id])],
      ]);
      byIds.mockRestore();
      await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token);
    } finally {
      await server.database.db.rows(`UPDATE users SET role = 'ADMIN' WHERE id = $1`, [admin3.id]);
      for (const s of subscribers) await s.client.dispose();
    }
  });

  it('reads users afresh for each event: a subscription’s loaders do not outlive one event', async () => {
    const [admin, admin2] = ws.admins;
    const watcher = await subscribe(admin2);
    try {
      const deletion = await markAndActivate(admin);
      await until(() => watcher.received.length >= 1, 'ACTIVATED');
      await server.database.db.rows(`UPDATE users SET name = 'Renamed Admin' WHERE id = $1`, [admin.id]);
      await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token);
      await until(() => watcher.received.length >= 2, 'CANCELLED');
      const [activated, cancelled] = watcher.received.map((r) => r.data!.deletionEvents);
      expect(activated.actor?.name).not.toBe('Renamed Admin');
      expect(cancelled.actor).toEqual({ id: admin.id, name: 'Renamed Admin' });
      expect(cancelled.deletion!.activatedBy).toEqual({ id: admin.id, name: 'Renamed Admin' });
    } finally {
      await watcher.client.dispose();
    }
  });
});
