import { randomUUID } from 'node:crypto';
import {
  CancelDeletionDocument,
  DeletionOverviewDocument,
  DeletionsDocument,
  MeDocument,
} from '../operations/generated';
import { DeletionEventType, publishDeletionEvent } from '../src/domain/deletion/deletion-events';
import { executeWs, watchWs, WatchedWs, WsOutcome } from './support/clients';
import { activateOne, deletionSnapshot } from './support/deletion';
import { createWorkspace, TestUser } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { SubscriptionLog } from './support/subscription-log';
import { waitFor } from './support/wait-for';
import { subscribeLive } from './support/warm-up';

/**
 * A socket's rights are those of its user as the database has them now, for
 * every operation and every event, not as they were at connection_init.
 */
const TYPE_ONLY = 'subscription { deletionEvents { type } }';
const ACTOR_EMAIL = 'subscription { deletionEvents { actor { email } } }';

let server: TestServer;
const sockets: WatchedWs[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.client.dispose()));
});
afterAll(() => server.close());

/** A graphql-ws client signed in as `user`, disposed after the test. */
function connect(user: TestUser): WatchedWs {
  const socket = watchWs(server.wsUrl, `Bearer ${user.token}`);
  sockets.push(socket);
  return socket;
}

/**
 * Subscribes on `socket` as a user of `workspaceId` and returns once the subscription heard a
 * warm-up. The warm-ups name a deletion that does not exist: these selections never read it.
 */
async function subscribe(socket: WatchedWs, workspaceId: string, query: string): Promise<SubscriptionLog> {
  const [log] = await subscribeLive(server.database.db, { workspaceId, deletionId: randomUUID() }, [
    { client: socket.client, query },
  ]);
  return log;
}

/** Waits until every log delivered something or ended. */
const settled = (logs: SubscriptionLog[], what: string) => waitFor(() => logs.every((log) => log.settled()), { what });

/** Activates a deletion of one archived contact through HTTP, as `admin`; publishes ACTIVATED. */
const activate = (admin: TestUser): Promise<string> => activateOne(server.url, admin);

const setRole = (user: TestUser, role: string) =>
  server.database.db.rows('UPDATE users SET role = $2 WHERE id = $1', [user.id, role]);

async function moveToAnotherWorkspace(user: TestUser): Promise<void> {
  const elsewhere = await createWorkspace(server.database.db, 0, 0);
  await server.database.db.rows('UPDATE users SET workspace_id = $2 WHERE id = $1', [user.id, elsewhere.id]);
}

/** The two ways a user stops being who a socket signed in as; an admin stays an admin in both. */
const LEAVINGS: [string, (user: TestUser) => Promise<unknown>][] = [
  ['deleted', (user) => server.database.db.rows('DELETE FROM users WHERE id = $1', [user.id])],
  ['moved to another workspace', moveToAnotherWorkspace],
];

const codeOf = (outcome: WsOutcome<unknown>) =>
  'result' in outcome ? outcome.result.errors?.[0]?.extensions?.code : undefined;

describe('every operation on a socket re-reads its user', () => {
  it('refuses deletionOverview, deletions and cancelDeletion to an admin demoted while connected, and cancels nothing', async () => {
    const { admins } = await createWorkspace(server.database.db, 2, 0);
    const [demoted, colleague] = admins;
    const socket = connect(demoted);
    // The control: as an admin, the same socket reads the overview.
    expect(codeOf(await executeWs(socket.client, DeletionOverviewDocument))).toBeUndefined();
    const deletionId = await activate(colleague);
    await setRole(demoted, 'MEMBER');
    const before = await deletionSnapshot(server.database.db);

    const outcomes = [
      await executeWs(socket.client, DeletionOverviewDocument),
      await executeWs(socket.client, DeletionsDocument, {}),
      await executeWs(socket.client, CancelDeletionDocument, { id: deletionId }),
    ];
    expect(outcomes.map(codeOf)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(outcomes.map((outcome) => 'result' in outcome && outcome.result.data)).toEqual([null, null, null]);
    expect(await deletionSnapshot(server.database.db)).toBe(before);
    const [row] = await server.database.db.rows<{ status: string }>('SELECT status FROM deletions WHERE id = $1', [
      deletionId,
    ]);
    expect(row.status).toBe('PENDING');
    // A demotion is not a sign-out: the socket stays open for what a member may do.
    const me = await executeWs(socket.client, MeDocument);
    expect(me).toEqual({ result: { data: { me: expect.objectContaining({ id: demoted.id, role: 'MEMBER' }) } } });
    expect(socket.closes).toEqual([]);
  });

  it('lets a member promoted to admin while connected read the overview over the same socket', async () => {
    const [member] = (await createWorkspace(server.database.db, 0, 1)).members;
    const socket = connect(member);
    // The control: as a member, the overview is refused.
    expect(codeOf(await executeWs(socket.client, DeletionOverviewDocument))).toBe('FORBIDDEN');
    await setRole(member, 'ADMIN');
    const overview = await executeWs(socket.client, DeletionOverviewDocument);
    expect(overview).toEqual({ result: { data: { deletionOverview: expect.objectContaining({ canMark: true }) } } });
  });

  it.each(LEAVINGS)(
    'closes the socket with 4401 at the next operation of a user %s while connected',
    async (_label, change) => {
      const [member] = (await createWorkspace(server.database.db, 0, 1)).members;
      const socket = connect(member);
      const me = await executeWs(socket.client, MeDocument);
      expect(me).toEqual({ result: { data: { me: expect.objectContaining({ id: member.id }) } } });
      await change(member);

      const outcome = await executeWs(socket.client, MeDocument);
      expect(outcome).toEqual({ failure: expect.objectContaining({ code: 4401 }) });
      expect(socket.closes).toEqual([4401]);
    },
  );
});

describe('every event on a socket re-checks its subscriber, whatever the subscription selects', () => {
  it('ends a demoted admin’s subscriptions with FORBIDDEN at the next event, without its payload', async () => {
    const { id: workspaceId, admins } = await createWorkspace(server.database.db, 3, 0);
    const [demoted, kept, actor] = admins;
    const demotedSocket = connect(demoted);
    const typeOnly = await subscribe(demotedSocket, workspaceId, TYPE_ONLY);
    const actorEmail = await subscribe(demotedSocket, workspaceId, ACTOR_EMAIL);
    const control = await subscribe(connect(kept), workspaceId, ACTOR_EMAIL);
    await setRole(demoted, 'MEMBER');

    await activate(actor);
    await settled([control], 'the event for the admin');
    await settled([typeOnly, actorEmail], 'the demoted subscriptions');
    expect(control.payloads).toEqual([{ data: { deletionEvents: { actor: { email: actor.email } } } }]);
    for (const log of [typeOnly, actorEmail]) {
      expect(log.payloads).toEqual([]);
      expect(log.endCodes()).toEqual(['FORBIDDEN']);
    }
    // Only the subscriptions end: the socket stays open for what a member may do.
    expect(await executeWs(demotedSocket.client, MeDocument)).toEqual({
      result: { data: { me: expect.objectContaining({ role: 'MEMBER' }) } },
    });
    expect(demotedSocket.closes).toEqual([]);
  });

  it.each(LEAVINGS)(
    'closes the socket of a subscriber %s with 4401 at the next event, without its payload',
    async (_label, change) => {
      const { id: workspaceId, admins } = await createWorkspace(server.database.db, 2, 0);
      const [gone, actor] = admins;
      const socket = connect(gone);
      const log = await subscribe(socket, workspaceId, ACTOR_EMAIL);
      const control = await subscribe(connect(actor), workspaceId, TYPE_ONLY);
      const closed = socket.nextClose();
      await change(gone);

      await activate(actor);
      await settled([control], 'the event for the admin');
      expect(await closed).toBe(4401);
      expect(log.payloads).toEqual([]);
    },
  );

  it.each([1, 5])('re-reads %i subscriber(s) of one event in one users statement, with its actor', async (n) => {
    const { id: workspaceId, admins, members } = await createWorkspace(server.database.db, n, 1);
    const logs = await subscribeLive(
      server.database.db,
      { workspaceId, deletionId: randomUUID() },
      admins.map((admin) => ({ client: connect(admin).client, query: TYPE_ONLY })),
    );
    const rows = jest.spyOn(server.app.services.db, 'rows');
    try {
      // Published by the test's own connection, so every statement counted is the delivery's.
      await server.database.db.transaction((tx) =>
        publishDeletionEvent(tx, {
          type: DeletionEventType.ACTIVATED,
          workspaceId,
          deletionId: randomUUID(),
          actorId: members[0].id,
          occurredAt: new Date().toISOString(),
        }),
      );
      await settled(logs, 'the event for every subscriber');
      // The reads of this event's delivery, which name its actor (a warm-up still on its way names none).
      const usersReads = rows.mock.calls.filter(
        ([sql, params]) => /\bFROM users\b/.test(sql) && JSON.stringify(params).includes(members[0].id),
      );
      expect(usersReads).toEqual([
        [expect.any(String), [expect.arrayContaining([...admins.map((a) => a.id), members[0].id])]],
      ]);
    } finally {
      rows.mockRestore();
    }
    for (const log of logs) expect(log.payloads).toEqual([{ data: { deletionEvents: { type: 'ACTIVATED' } } }]);
  });
});
