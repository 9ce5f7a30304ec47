import { Client } from 'pg';
import { CancelDeletionDocument } from '../operations/generated';
import { DeletionEventMessage, DeletionEventType, publishDeletionEvent } from '../src/domain/deletion/deletion-events';
import { mustRequest, watchWs, WatchedWs } from './support/clients';
import { activateOne } from './support/deletion';
import { createWorkspace, TestUser } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';
import { subscribeLive, WarmUpTarget } from './support/warm-up';

/**
 * Each event is delivered from what it carries (its delivery, built where the NOTIFY is
 * received) and executed with a context of its own, so events in flight at once never share or
 * swap state.
 */
const FULL = `subscription { deletionEvents { type actor { id }
  deletion { id status activatedBy { id } cancelledBy { id } } } }`;
const NO_DELETION = 'subscription { deletionEvents { type actor { id } } }';

let server: TestServer;
const sockets: WatchedWs[] = [];
let locker: Client | undefined;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
});
afterEach(async () => {
  await locker?.end();
  locker = undefined;
  await Promise.all(sockets.splice(0).map((socket) => socket.client.dispose()));
});
afterAll(() => server.close());

/** Subscribes each user to `query` over a socket of their own; returns once every subscription is live. */
function subscribe(target: WarmUpTarget, users: TestUser[], query: string) {
  const subscriptions = users.map((user) => {
    const socket = watchWs(server.wsUrl, `Bearer ${user.token}`);
    sockets.push(socket);
    return { client: socket.client, query };
  });
  return subscribeLive(server.database.db, target, subscriptions);
}

const activate = (admin: TestUser): Promise<string> => activateOne(server.url, admin);

/** Reads of the deletions table that wait for a lock right now, in the server's database. */
async function blockedDeletionReads(): Promise<number> {
  const [row] = await server.database.db.rows<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM deletions WHERE%'`,
  );
  return row.n;
}

describe('events in flight at once', () => {
  it('delivers each of two events with its own deletion and actor while the first one’s read is held up', async () => {
    const { id: workspaceId, admins } = await createWorkspace(server.database.db, 4, 0);
    const [first, second, watcher, quick] = admins;
    // The two deletions differ in every field selected: status, who activated, who cancelled.
    const cancelled = await activate(first);
    await mustRequest(server.url, CancelDeletionDocument, { id: cancelled }, second.token);
    const pending = await activate(second);
    // Warm-ups name the cancelled deletion; the test's own events have an actor, which sets them apart.
    const warmUp = { workspaceId, deletionId: cancelled };
    const [fast] = await subscribe(warmUp, [quick], NO_DELETION);
    // Last and together: the final warm-up round, heard by both, read the deletion for both.
    const full = await subscribe(warmUp, [watcher, first], FULL);

    // Every read of the deletions table now waits: the first event's deletion stays unread.
    locker = new Client({ connectionString: server.database.url });
    await locker.connect();
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE deletions IN ACCESS EXCLUSIVE MODE');
    const event = (type: DeletionEventType, deletionId: string, actor: TestUser): DeletionEventMessage => ({
      type,
      workspaceId,
      deletionId,
      actorId: actor.id,
      occurredAt: new Date().toISOString(),
    });
    // Back to back: both NOTIFYs arrive at the one commit.
    await server.database.db.transaction(async (tx) => {
      await publishDeletionEvent(tx, event(DeletionEventType.CANCELLED, cancelled, second));
      await publishDeletionEvent(tx, event(DeletionEventType.PROGRESS, pending, first));
    });

    // The second event is delivered (to who does not select the deletion) while the first is in flight.
    await waitFor(() => fast.payloads.length === 2, { what: 'both events for the subscriber without deletion' });
    await waitFor(async () => (await blockedDeletionReads()) > 0, { what: 'the first event’s deletion read to wait' });
    expect(fast.payloads).toEqual([
      { data: { deletionEvents: { type: 'CANCELLED', actor: { id: second.id } } } },
      { data: { deletionEvents: { type: 'PROGRESS', actor: { id: first.id } } } },
    ]);
    // One read of the first event's deletion, shared by both subscribers that select it.
    expect(await blockedDeletionReads()).toBe(1);
    expect(full.map((log) => log.payloads)).toEqual([[], []]);

    await locker.query('ROLLBACK');
    await waitFor(() => full.every((log) => log.payloads.length === 2), { what: 'both events for every subscriber' });
    const expected = [
      {
        type: 'CANCELLED',
        actor: { id: second.id },
        deletion: { id: cancelled, status: 'CANCELLED', activatedBy: { id: first.id }, cancelledBy: { id: second.id } },
      },
      {
        type: 'PROGRESS',
        actor: { id: first.id },
        deletion: { id: pending, status: 'PENDING', activatedBy: { id: second.id }, cancelledBy: null },
      },
    ];
    for (const log of full) expect(log.payloads).toEqual(expected.map((e) => ({ data: { deletionEvents: e } })));
  });
});
