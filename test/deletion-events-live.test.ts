import { print } from 'graphql';
import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  CancelDeletionDocument,
  DeletionEventsDocument,
  DeletionEventsSubscription,
  MarkForDeletionDocument,
} from '../operations/generated';
import { publishDeletionEvent, DeletionEventType } from '../src/domain/deletion/deletion-events';
import { WsCloseCode } from '../src/ws/ws-close-codes';
import { connectWs, errorCode, mustRequest, request } from './support/clients';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { createObject, upload } from './support/objects';
import { startServerProcess, startTestServer, TestServer } from './support/servers';
import { settles, STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';
import { warmUpSubscriptions } from './support/warm-up';

/**
 * End to end: real graphql-ws clients subscribed to `deletionEvents`, events caused by real
 * mutations and the real scheduler, crossing processes through PostgreSQL LISTEN/NOTIFY.
 */
type DeletionEvent = DeletionEventsSubscription['deletionEvents'];

/** One subscribed client and everything it received. */
interface Subscriber {
  events: DeletionEvent[];
  errors: { message: string; extensions?: { code?: string } }[];
  closed: Promise<number>;
  dispose(): Promise<void>;
}

let server: TestServer;
let a: TestWorkspace;
let b: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  a = await createWorkspace(server.database.db, 2, 1);
  b = await createWorkspace(server.database.db, 1, 0);
});
// Sockets are closed even when a test fails, so Jest exits on its own.
const subscribers = new Set<Subscriber>();
afterEach(async () => {
  await Promise.all([...subscribers].map((inbox) => inbox.dispose()));
  subscribers.clear();
});
afterAll(() => server?.close());

/** Subscribes a real graphql-ws client to deletionEvents and records what arrives. */
function subscribe(wsUrl: string, user: TestUser): Subscriber {
  const { client, closed } = connectWs(wsUrl, user.token);
  const inbox: Subscriber = { events: [], errors: [], closed, dispose: async () => void (await client.dispose()) };
  client.subscribe<DeletionEventsSubscription>(
    { query: print(DeletionEventsDocument) },
    {
      next: (result) => {
        if (result.errors) inbox.errors.push(...(result.errors as Subscriber['errors']));
        if (result.data) inbox.events.push(result.data.deletionEvents);
      },
      error: (error) => inbox.errors.push(error as Subscriber['errors'][number]),
      complete: () => undefined,
    },
  );
  subscribers.add(inbox);
  return inbox;
}

/** Waits until `ready()` holds; fails only when nothing arrived for the stall period. */
function until(ready: () => boolean, what: string): Promise<void> {
  return waitFor(ready, { what });
}

/** Archives and marks `n` objects of `admin`'s workspace, with a file each, through the API. */
async function markSome(url: string, admin: TestUser, n = 2): Promise<void> {
  const refs = [];
  for (let i = 0; i < n; i += 1) {
    const ref = await createObject(url, admin, i % 2 ? 'DEAL' : 'CONTACT');
    await upload(url, admin.token, ref, Buffer.alloc(100 + i));
    refs.push(ref);
  }
  await mustRequest(url, ArchiveObjectsDocument, { refs }, admin.token);
  await mustRequest(url, MarkForDeletionDocument, { refs }, admin.token);
}

/** A cancelled deletion of the workspace, whose id the warm-up events name. */
async function cancelledDeletion(url: string, ws: TestWorkspace): Promise<string> {
  await markSome(url, ws.admins[0], 1);
  const { activateDeletion } = await mustRequest(url, ActivateDeletionDocument, {}, ws.admins[0].token);
  await mustRequest(url, CancelDeletionDocument, { id: activateDeletion.id }, ws.admins[0].token);
  return activateDeletion.id;
}

/**
 * Subscriptions become live asynchronously after `subscribe`; until they are, an event would be
 * missed. Publishes PROGRESS events about an old deletion (through the real NOTIFY path) until
 * every inbox has seen one; `withoutWarmUp` later drops them.
 */
function warmUp(entries: { inbox: Subscriber; workspaceId: string; deletionId: string }[]): Promise<void> {
  return warmUpSubscriptions(
    server.database.db,
    entries.map(({ inbox, ...target }) => ({
      target,
      heard: () => inbox.events.filter((e) => e.deletion!.id === target.deletionId).length,
    })),
  );
}

/** The events of an inbox other than warm-ups, as `TYPE id` strings. */
function received(inbox: Subscriber, warmUpIds: string[]): string[] {
  return inbox.events.filter((e) => !warmUpIds.includes(e.deletion!.id)).map((e) => `${e.type} ${e.deletion!.id}`);
}

describe('deletionEvents over graphql-ws', () => {
  it('delivers each committed change to the admins of its workspace only, in order, and nothing else', async () => {
    const [alice, bob] = a.admins;
    const warmA = await cancelledDeletion(server.url, a);
    const warmB = await cancelledDeletion(server.url, b);
    const admins = [subscribe(server.wsUrl, alice), subscribe(server.wsUrl, bob)];
    const member = subscribe(server.wsUrl, a.members[0]);
    const otherAdmin = subscribe(server.wsUrl, b.admins[0]);
    await warmUp([
      ...admins.map((inbox) => ({ inbox, workspaceId: a.id, deletionId: warmA })),
      { inbox: otherAdmin, workspaceId: b.id, deletionId: warmB },
    ]);
    await until(() => member.errors.length > 0, 'the member’s refusal');
    expect(member.errors[0].extensions?.code ?? (member.errors[0] as { message: string }).message).toMatch(/FORBIDDEN/);

    await markSome(server.url, alice, 3);
    const first = (await mustRequest(server.url, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
    // Refused and rolled back: a second activation while one is pending publishes nothing.
    const refused = await request(server.url, ActivateDeletionDocument, {}, alice.token);
    expect(errorCode(refused)).toBe('CONFLICT');
    await server.database.db
      .transaction(async (tx) => {
        await publishDeletionEvent(tx, {
          type: DeletionEventType.CANCELLED,
          workspaceId: a.id,
          deletionId: first.id,
          actorId: alice.id,
          occurredAt: new Date().toISOString(),
        });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await mustRequest(server.url, CancelDeletionDocument, { id: first.id }, alice.token);
    const second = (await mustRequest(server.url, ActivateDeletionDocument, {}, alice.token)).activateDeletion;
    const future = new Date(Date.parse(second.executeAfter) + 1000);
    await server.app.scheduler.tick(future);

    for (const inbox of admins) {
      await until(() => received(inbox, [warmA]).some((e) => e.startsWith('COMPLETED')), 'COMPLETED');
      const events = received(inbox, [warmA]);
      const progress = events.filter((e) => e.startsWith('PROGRESS'));
      expect(progress.length).toBeGreaterThan(0);
      expect(events).toEqual([
        `ACTIVATED ${first.id}`,
        `CANCELLED ${first.id}`,
        `ACTIVATED ${second.id}`,
        ...progress.map(() => `PROGRESS ${second.id}`),
        `COMPLETED ${second.id}`,
      ]);
      // The deletion is read on delivery: the warm-up deletion's object went back to the selection too.
      const activated = inbox.events.find((e) => e.type === 'ACTIVATED' && e.deletion!.id === first.id)!;
      expect(activated).toMatchObject({ actor: { id: bob.id }, deletion: { total: { count: 4 } } });
      const cancelled = inbox.events.find((e) => e.type === 'CANCELLED')!;
      expect(cancelled).toMatchObject({ actor: { id: alice.id }, deletion: { cancelledBy: { id: alice.id } } });
      const completed = inbox.events.at(-1)!;
      expect(completed.actor).toBeNull();
      expect(completed.deletion!.done).toEqual(completed.deletion!.total);
    }
    expect(member.events).toEqual([]);
    expect(received(otherAdmin, [warmB])).toEqual([]);
    await Promise.all([...admins, member, otherAdmin].map((inbox) => inbox.dispose()));
  });

  it(
    'delivers 20 events to 200 subscribers of one instance, each exactly once and in order',
    async () => {
      const ws = await createWorkspace(server.database.db, 2, 0);
      const warm = await cancelledDeletion(server.url, ws);
      const inboxes = Array.from({ length: 200 }, (_, i) => subscribe(server.wsUrl, ws.admins[i % 2]));
      await warmUp(inboxes.map((inbox) => ({ inbox, workspaceId: ws.id, deletionId: warm })));
      await markSome(server.url, ws.admins[0], 2);
      const expected: string[] = [];
      for (let i = 0; i < 10; i += 1) {
        const { id } = (await mustRequest(server.url, ActivateDeletionDocument, {}, ws.admins[0].token))
          .activateDeletion;
        await mustRequest(server.url, CancelDeletionDocument, { id }, ws.admins[1].token);
        expected.push(`ACTIVATED ${id}`, `CANCELLED ${id}`);
      }
      const delivered = () => inboxes.reduce((sum, inbox) => sum + received(inbox, [warm]).length, 0);
      await waitFor(() => delivered() >= 20 * inboxes.length, { what: '20 events × 200', progress: delivered });
      for (const inbox of inboxes) {
        expect(received(inbox, [warm])).toEqual(expected);
        expect(inbox.errors).toEqual([]);
      }
      await Promise.all(inboxes.map((inbox) => inbox.dispose()));
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
});

describe('deletionEvents across processes', () => {
  it(
    'delivers a change made on one process to subscribers of the other, also after the listener lost its connection',
    async () => {
      // A second `npm start` process on the same database and file store.
      const other = startServerProcess(
        { SCHEDULER_INTERVAL: '1h' },
        { database: server.database, dataDir: server.dataDir },
      );
      const otherUrl = await other.ready();
      const ws = await createWorkspace(server.database.db, 2, 0);
      const [alice, bob] = ws.admins;
      const warm = await cancelledDeletion(server.url, ws);
      const here = subscribe(server.wsUrl, alice);
      const there = subscribe(otherUrl.replace(/^http/, 'ws'), bob);
      await warmUp([here, there].map((inbox) => ({ inbox, workspaceId: ws.id, deletionId: warm })));

      await markSome(server.url, alice, 2);
      const { id } = (await mustRequest(otherUrl, ActivateDeletionDocument, {}, bob.token)).activateDeletion;
      await until(() => received(here, [warm]).length === 1, 'ACTIVATED on the first process');
      await until(() => received(there, [warm]).length === 1, 'ACTIVATED on the second process');
      expect(received(here, [warm])).toEqual([`ACTIVATED ${id}`]);
      expect(received(there, [warm])).toEqual([`ACTIVATED ${id}`]);

      // Cut this process's LISTEN connection: it reconnects and closes its sockets with 4205 so that
      // clients reconnect and refetch; the other process's subscriber is not affected.
      const reconnected = new Promise<void>((resolve) => server.app.listener.once('reconnected', () => resolve()));
      await server.database.db.rows('SELECT pg_terminate_backend($1)', [server.app.listener.backendPid]);
      expect(await settles(here.closed, { what: 'the 4205 close' })).toBe(WsCloseCode.EventsMissed);
      await settles(reconnected, { what: 'the listener to reconnect' });
      const again = subscribe(server.wsUrl, alice);
      await warmUp([{ inbox: again, workspaceId: ws.id, deletionId: warm }]);
      await mustRequest(otherUrl, CancelDeletionDocument, { id }, bob.token);
      await until(() => received(again, [warm]).length === 1, 'CANCELLED after the reconnect');
      expect(received(again, [warm])).toEqual([`CANCELLED ${id}`]);
      await until(() => received(there, [warm]).length === 2, 'CANCELLED on the second process');
      expect(received(there, [warm])).toEqual([`ACTIVATED ${id}`, `CANCELLED ${id}`]);
      await Promise.all([here, there, again].map((inbox) => inbox.dispose()));
      expect(await other.stop()).toBe(0);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
});
