import { CancelDeletionDocument, NotificationsDocument, UpdateDeletionSettingsDocument } from '../operations/generated';
import { mustRequest, watchWs, WatchedWs } from './support/clients';
import { activateOne } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { SubscriptionLog } from './support/subscription-log';
import { waitFor } from './support/wait-for';
import { subscribeLive } from './support/warm-up';

/**
 * The last reminder: `reminderHoursBefore` hours before a PENDING deletion executes,
 * every admin gets a DELETION_REMINDER notification and a live REMINDER event, exactly once
 * however many instances tick. Two servers share one database; ticks run at moved times, and
 * each deletion a test makes due is its own.
 */
const HOUR_MS = 3_600_000;
const EVENTS = 'subscription { deletionEvents { type actor { id } deletion { id status } } }';

let a: TestServer;
let b: TestServer;
const sockets: WatchedWs[] = [];

beforeAll(async () => {
  a = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  // A deletion activated through b has 2 hours left: less than the default 24-hour window.
  b = await startTestServer({ SCHEDULER_INTERVAL: '1h', DELETION_GRACE_PERIOD: '2h' }, { database: a.database });
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.client.dispose()));
});
afterAll(async () => {
  await b?.close();
  await a?.close();
});

const db = () => a.database.db;

/** Both instances tick at `at`, at the same time, `rounds` times. */
async function tickBoth(at: Date, rounds = 1): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.all([a.app.scheduler.tick(at), b.app.scheduler.tick(at)]);
}

async function executeAfter(deletionId: string): Promise<number> {
  const row = await db().one<{ at: Date }>('SELECT execute_after AS at FROM deletions WHERE id = $1', [deletionId]);
  return row!.at.getTime();
}

async function remindersOf(user: TestUser): Promise<(string | undefined)[]> {
  const data = await mustRequest(a.url, NotificationsDocument, { first: 50 }, user.token);
  return data.notifications.edges.filter((e) => e.node.kind === 'DELETION_REMINDER').map((e) => e.node.deletion?.id);
}

async function remindedAt(deletionId: string): Promise<Date | null> {
  const row = await db().one<{ at: Date | null }>('SELECT reminded_at AS at FROM deletions WHERE id = $1', [
    deletionId,
  ]);
  return row!.at;
}

/** Subscribes each admin to deletionEvents on a server of their own; resolves once every subscription is live. */
function subscribe(ws: TestWorkspace, deletionId: string, servers: TestServer[]): Promise<SubscriptionLog[]> {
  const subscriptions = ws.admins.map((admin, i) => {
    const socket = watchWs(servers[i % servers.length].wsUrl, `Bearer ${admin.token}`);
    sockets.push(socket);
    return { client: socket.client, query: EVENTS };
  });
  return subscribeLive(db(), { workspaceId: ws.id, deletionId }, subscriptions);
}

type Event = { data: { deletionEvents: { type: string; actor: { id: string } | null; deletion: { id: string } } } };
const typesOf = (log: SubscriptionLog) => (log.payloads as Event[]).map((p) => p.data.deletionEvents.type);

describe('the reminder before a deletion executes', () => {
  it('reaches every admin once, live on both instances and as a notification, however many instances tick', async () => {
    const ws = await createWorkspace(db(), 2, 1);
    const [admin] = ws.admins;
    const deletionId = await activateOne(a.url, admin);
    const due = await executeAfter(deletionId);
    const [onA, onB] = await subscribe(ws, deletionId, [a, b]);

    // 25 hours before: outside the default 24-hour window.
    await tickBoth(new Date(due - 25 * HOUR_MS));
    expect(await remindedAt(deletionId)).toBeNull();

    // Inside it, both instances tick at once, three times over: one reminder.
    const at = new Date(due - 23 * HOUR_MS);
    await tickBoth(at, 3);
    expect(await remindedAt(deletionId)).toEqual(at);
    for (const user of ws.admins) expect(await remindersOf(user)).toEqual([deletionId]);
    expect(await remindersOf(ws.members[0])).toEqual([]);

    // The cancel's event comes after the reminder's (NOTIFY in commit order): once it is heard, all is.
    await mustRequest(a.url, CancelDeletionDocument, { id: deletionId }, admin.token);
    await waitFor(() => typesOf(onA).includes('CANCELLED') && typesOf(onB).includes('CANCELLED'), {
      what: 'the CANCELLED event on both instances',
      progress: () => onA.payloads.length + onB.payloads.length,
    });
    for (const log of [onA, onB]) {
      expect(typesOf(log)).toEqual(['REMINDER', 'CANCELLED']);
      expect((log.payloads[0] as Event).data.deletionEvents).toEqual({
        type: 'REMINDER',
        actor: null,
        deletion: { id: deletionId, status: 'PENDING' },
      });
    }
  });

  it('follows the workspace setting: hours given, or none when off', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const setReminder = (reminderHoursBefore: number | null) =>
      mustRequest(a.url, UpdateDeletionSettingsDocument, { input: { reminderHoursBefore } }, admin.token);

    await setReminder(48);
    const first = await activateOne(a.url, admin);
    const due = await executeAfter(first);
    await tickBoth(new Date(due - 49 * HOUR_MS));
    expect(await remindedAt(first)).toBeNull();
    await tickBoth(new Date(due - 47 * HOUR_MS));
    expect(await remindersOf(admin)).toEqual([first]);
    await mustRequest(a.url, CancelDeletionDocument, { id: first }, admin.token);

    await setReminder(null);
    const second = await activateOne(a.url, admin);
    await tickBoth(new Date((await executeAfter(second)) - HOUR_MS));
    expect(await remindedAt(second)).toBeNull();
    expect(await remindersOf(admin)).toEqual([first]);
    await mustRequest(a.url, CancelDeletionDocument, { id: second }, admin.token);
  });

  it('is never sent for a cancelled deletion', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const deletionId = await activateOne(a.url, admin);
    await mustRequest(a.url, CancelDeletionDocument, { id: deletionId }, admin.token);
    await tickBoth(new Date((await executeAfter(deletionId)) - HOUR_MS));
    expect(await remindedAt(deletionId)).toBeNull();
    expect(await remindersOf(admin)).toEqual([]);
  });

  it('comes late when the window opened while no tick ran, and never once the deletion is due', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const late = await activateOne(a.url, admin);
    // No tick saw the window open (the scheduler was down): the first tick inside it reminds.
    await tickBoth(new Date((await executeAfter(late)) - 2 * 60_000));
    expect(await remindersOf(admin)).toEqual([late]);
    await mustRequest(a.url, CancelDeletionDocument, { id: late }, admin.token);

    // First tick past executeAfter: the deletion runs at once, and a reminder would come after the fact.
    const overdue = await activateOne(a.url, admin);
    await a.app.scheduler.tick(new Date((await executeAfter(overdue)) + 60_000));
    const status = await db().one<{ status: string }>('SELECT status FROM deletions WHERE id = $1', [overdue]);
    expect(status!.status).toBe('COMPLETED');
    expect(await remindedAt(overdue)).toBeNull();
    expect(await remindersOf(admin)).toEqual([late]);
  });

  it('is not sent when the deletion was activated inside the window: the activation told every admin', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const inside = await activateOne(b.url, admin);
    const due = await executeAfter(inside);
    await tickBoth(new Date(due - HOUR_MS), 2);
    expect(await remindedAt(inside)).toBeNull();
    expect(await remindersOf(admin)).toEqual([]);

    // A window shorter than what was left opens after the activation: it is sent.
    await mustRequest(a.url, UpdateDeletionSettingsDocument, { input: { reminderHoursBefore: 1 } }, admin.token);
    await tickBoth(new Date(due - HOUR_MS / 2));
    expect(await remindersOf(admin)).toEqual([inside]);
    await mustRequest(a.url, CancelDeletionDocument, { id: inside }, admin.token);
  });
});
