import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { CancelDeletionDocument } from '../operations/generated';
import { DeletionEventType, publishDeletionEvent } from '../src/domain/deletion/deletion-events';
import { mustRequest, watchWs, WatchedWs } from './support/clients';
import { activateOne } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { SubscriptionLog } from './support/subscription-log';
import { startTestServer, TestServer } from './support/servers';
import { settles, waitFor } from './support/wait-for';
import { isWarmUp, subscribeLive, WarmUpTarget } from './support/warm-up';

/**
 * Subscribers of the same operation, variables, role and workspace share one
 * execution and one serialization per event (src/ws/subscription-groups.ts). What must not
 * change: each gets what it selected, only its own workspace's events, its own rights checked at
 * every event, and exactly one frame per event under its own subscription id.
 */
const ACTOR_NAME = 'subscription { deletionEvents { type actor { name } } }';
const DELETION_STATUS = 'subscription { deletionEvents { deletion { id status } } }';
const TYPE_AND_DELETION = 'subscription { deletionEvents { type deletion { id } } }';
let server: TestServer;
const sockets: WatchedWs[] = [];
const rawSockets: RawSocket[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.client.dispose()));
  await Promise.all(rawSockets.splice(0).map((socket) => socket.close()));
});
afterAll(() => server.close());

/** Subscribes each user to its query over a socket of its own; returns once every subscription is live. */
function subscribe(target: WarmUpTarget, subscribers: [TestUser, string][]): Promise<SubscriptionLog[]> {
  const subscriptions = subscribers.map(([user, query]) => {
    const socket = watchWs(server.wsUrl, `Bearer ${user.token}`);
    sockets.push(socket);
    return { client: socket.client, query };
  });
  return subscribeLive(server.database.db, target, subscriptions);
}

const activate = (admin: TestUser): Promise<string> => activateOne(server.url, admin);

/** A cancelled deletion of the workspace for warm-ups to name, made before anyone subscribes. */
async function warmUpTarget(workspace: TestWorkspace): Promise<WarmUpTarget> {
  const admin = workspace.admins[0];
  const deletionId = await activate(admin);
  await mustRequest(server.url, CancelDeletionDocument, { id: deletionId }, admin.token);
  return { workspaceId: workspace.id, deletionId };
}

/** Publishes a PROGRESS event through the real NOTIFY path, as the executor does. */
const progress = (workspaceId: string, deletionId: string, actor: TestUser | null = null) =>
  server.database.db.transaction((tx) =>
    publishDeletionEvent(tx, {
      type: DeletionEventType.PROGRESS,
      workspaceId,
      deletionId,
      actorId: actor?.id ?? null,
      occurredAt: new Date().toISOString(),
    }),
  );

const payloadsReach = (logs: SubscriptionLog[], count: number, what: string) =>
  waitFor(() => logs.every((log) => log.payloads.length >= count), { what });

const deletionEvents = (event: unknown) => ({ data: { deletionEvents: event } });

describe('subscribers sharing an execution', () => {
  it('gives subscribers of different selections in one workspace each their own result', async () => {
    const workspace = await createWorkspace(server.database.db, 3, 0);
    const [first, second, actor] = workspace.admins;
    const [byName1, byName2, byStatus] = await subscribe(await warmUpTarget(workspace), [
      [first, ACTOR_NAME],
      [second, ACTOR_NAME],
      [second, DELETION_STATUS],
    ]);
    const byName = [byName1, byName2];

    const deletionId = await activate(actor);
    await payloadsReach([...byName, byStatus], 1, 'the event for every subscriber');
    for (const log of byName)
      expect(log.payloads).toEqual([deletionEvents({ type: 'ACTIVATED', actor: { name: 'ADMIN 2' } })]);
    expect(byStatus.payloads).toEqual([deletionEvents({ deletion: { id: deletionId, status: 'PENDING' } })]);
  });

  it('never lets one workspace’s subscribers see another’s events, whatever they share', async () => {
    const [here, there] = [
      await createWorkspace(server.database.db, 1, 0),
      await createWorkspace(server.database.db, 1, 0),
    ];
    const logs = [
      ...(await subscribe(await warmUpTarget(here), [[here.admins[0], TYPE_AND_DELETION]])),
      ...(await subscribe(await warmUpTarget(there), [[there.admins[0], TYPE_AND_DELETION]])),
    ];

    const hereDeletion = await activate(here.admins[0]);
    const thereDeletion = await activate(there.admins[0]);
    // Events reach a group in commit order: once these last ones arrived, any leak would have too.
    await progress(here.id, hereDeletion);
    await progress(there.id, thereDeletion);
    await payloadsReach(logs, 2, 'both events of each workspace');

    const [herePayloads, therePayloads] = logs.map((log) => log.payloads);
    expect(herePayloads).toEqual([
      deletionEvents({ type: 'ACTIVATED', deletion: { id: hereDeletion } }),
      deletionEvents({ type: 'PROGRESS', deletion: { id: hereDeletion } }),
    ]);
    expect(therePayloads).toEqual([
      deletionEvents({ type: 'ACTIVATED', deletion: { id: thereDeletion } }),
      deletionEvents({ type: 'PROGRESS', deletion: { id: thereDeletion } }),
    ]);
  });

  it('ends a demoted admin’s subscription with FORBIDDEN while the other admins of the same selection keep receiving', async () => {
    const workspace = await createWorkspace(server.database.db, 4, 0);
    const [demoted, kept, kept2, actor] = workspace.admins;
    const [demotedLog, ...keptLogs] = await subscribe(await warmUpTarget(workspace), [
      [demoted, ACTOR_NAME],
      [kept, ACTOR_NAME],
      [kept2, ACTOR_NAME],
    ]);
    await server.database.db.rows(`UPDATE users SET role = 'MEMBER' WHERE id = $1`, [demoted.id]);

    const deletionId = await activate(actor);
    await payloadsReach(keptLogs, 1, 'the first event for the admins');
    await waitFor(() => demotedLog.end !== undefined, { what: 'the demoted subscription to end' });
    await mustRequest(server.url, CancelDeletionDocument, { id: deletionId }, actor.token);
    await payloadsReach(keptLogs, 2, 'the second event for the admins');

    const expected = ['ACTIVATED', 'CANCELLED'].map((type) => deletionEvents({ type, actor: { name: 'ADMIN 3' } }));
    for (const log of keptLogs) expect(log.payloads).toEqual(expected);
    expect(demotedLog.payloads).toEqual([]);
    expect(demotedLog.endCodes()).toEqual(['FORBIDDEN']);
  });

  it('sends one frame per event to each subscription, under its own id', async () => {
    const workspace = await createWorkspace(server.database.db, 2, 0);
    const { id: workspaceId, admins } = workspace;
    const [subscriber, actor] = admins;
    const target = await warmUpTarget(workspace);
    const socket = await RawSocket.open(server.wsUrl, subscriber.token, target);
    const ids = ['plain', 'with "quotes" and \\ backslash', 'üñí'];
    for (const id of ids) socket.send({ id, type: 'subscribe', payload: { query: ACTOR_NAME } });
    await socket.roundTrip();
    // Live once the group hears warm-ups: the raw socket's subscriptions joined it before this one.
    const [other] = await subscribe(target, [[actor, ACTOR_NAME]]);

    const deletionId = randomUUID();
    await progress(workspaceId, deletionId, actor);
    await progress(workspaceId, deletionId, actor);
    // The other subscriber of the group has both events: this socket's were sent before or with them.
    await payloadsReach([other], 2, 'both events for the other subscriber');
    await waitFor(() => socket.nextFrames().length >= 2 * ids.length, { what: 'both events on the raw socket' });

    const event = { data: { deletionEvents: { type: 'PROGRESS', actor: { name: 'ADMIN 1' } } } };
    const frames = socket.nextFrames();
    expect(frames.map((frame) => frame.id).sort()).toEqual([...ids, ...ids].sort());
    for (const id of ids)
      expect(frames.filter((frame) => frame.id === id)).toEqual([
        { id, type: 'next', payload: event },
        { id, type: 'next', payload: event },
      ]);
  });
});

/** A graphql-ws connection over a plain `ws` socket, to see the frames exactly as the server sends them. */
class RawSocket {
  readonly frames: { id?: string; type: string; payload?: unknown }[] = [];

  private constructor(
    private readonly ws: WebSocket,
    private readonly warmUp: WarmUpTarget,
  ) {
    ws.on('message', (data: Buffer) => this.frames.push(JSON.parse(data.toString()) as RawSocket['frames'][number]));
  }

  static async open(url: string, token: string, warmUp: WarmUpTarget): Promise<RawSocket> {
    const socket = new RawSocket(new WebSocket(url, 'graphql-transport-ws'), warmUp);
    rawSockets.push(socket);
    await settles(new Promise((resolve) => socket.ws.once('open', resolve)), { what: 'the socket to open' });
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await waitFor(() => socket.frames.some((frame) => frame.type === 'connection_ack'), { what: 'connection_ack' });
    return socket;
  }

  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Resolves once every subscription sent before it is registered (socket-auth.ts reads in order). */
  async roundTrip(): Promise<void> {
    this.send({ id: 'round-trip', type: 'subscribe', payload: { query: '{ me { id } }' } });
    await waitFor(() => this.frames.some((frame) => frame.id === 'round-trip' && frame.type === 'complete'), {
      what: 'the round trip',
    });
  }

  /** The `next` frames of the test's own subscriptions, warm-ups left out. */
  nextFrames() {
    return this.frames.filter((frame) => {
      if (frame.type !== 'next' || frame.id === 'round-trip') return false;
      const event = (frame.payload as { data?: { deletionEvents?: Record<string, unknown> } }).data?.deletionEvents;
      return !(event && isWarmUp(event, [this.warmUp]));
    });
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.ws.once('close', resolve));
    this.ws.close();
    await closed;
  }
}
