import { randomUUID } from 'node:crypto';
import { getMaxListeners, once } from 'node:events';
import { MeDocument } from '../operations/generated';
import { createAppPubSub } from '../src/app';
import { Client } from 'pg';
import { createLogger } from '../src/log';
import { DeletionEventListener, LISTENER_APPLICATION_NAME } from '../src/domain/deletion/deletion-event-listener';
import {
  DELETION_EVENTS_CHANNEL,
  DeletionEventMessage,
  DeletionEventType,
  parseDeletionEventMessage,
  publishDeletionEvent,
} from '../src/domain/deletion/deletion-events';
import { executeWs, Inbox, watchWs } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startServerProcess, startTestServer, TestServer } from './support/servers';
import { settles, waitFor } from './support/wait-for';

let first: TestServer;
let second: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  first = await startTestServer();
  // A second instance on the same database: events cross instances only through PostgreSQL.
  second = await startTestServer({}, { database: first.database });
  workspace = await createWorkspace(first.database.db, 1, 1);
});
afterAll(async () => {
  await second.close();
  await first.close();
});

let inboxes: Inbox[];
beforeEach(() => {
  inboxes = [new Inbox(first.app), new Inbox(second.app)];
});
afterEach(async () => {
  await Promise.all(inboxes.map((inbox) => inbox.close()));
});

function message(type = DeletionEventType.PROGRESS): DeletionEventMessage {
  return {
    type,
    workspaceId: workspace.id,
    deletionId: randomUUID(),
    actorId: workspace.admins[0].id,
    occurredAt: new Date().toISOString(),
  };
}

/** Publishes messages in one committed transaction on the test's own connection pool. */
async function commit(...messages: DeletionEventMessage[]): Promise<void> {
  await first.database.db.transaction(async (tx) => {
    for (const each of messages) await publishDeletionEvent(tx, each);
  });
}

/** Proves nothing else is queued: the next message each process delivers is a fresh sentinel. */
async function expectOnlySentinelNext(): Promise<void> {
  const sentinel = message(DeletionEventType.COMPLETED);
  await commit(sentinel);
  for (const inbox of inboxes) expect(await inbox.take(1)).toEqual([sentinel]);
  for (const inbox of inboxes) expect(inbox.messages).toEqual([]);
}

describe('delivery through LISTEN/NOTIFY', () => {
  it('delivers each committed message exactly once to every instance, in commit order', async () => {
    const batch = [message(DeletionEventType.ACTIVATED), message(), message(DeletionEventType.CANCELLED)];
    await commit(...batch);
    // Published through the app's own pool too: the same path as any other connection.
    const own = message();
    await second.app.services.db.transaction((tx) => publishDeletionEvent(tx, own));
    for (const inbox of inboxes) expect(await inbox.take(4)).toEqual([...batch, own]);
    await expectOnlySentinelNext();
  });

  it('delivers nothing of a rolled-back transaction', async () => {
    const rolledBack = message(DeletionEventType.ACTIVATED);
    const failed = first.database.db.transaction(async (tx) => {
      await publishDeletionEvent(tx, rolledBack);
      throw new Error('rolled back on purpose');
    });
    await expect(failed).rejects.toThrow('rolled back on purpose');
    await expectOnlySentinelNext();
  });

  it('ignores malformed payloads and keeps delivering', async () => {
    const ignoredBefore = [first.app.listener.ignored, second.app.listener.ignored];
    const bad = ['not json', '[]', JSON.stringify({ ...message(), type: 'EXPLODED' })];
    for (const payload of bad)
      await first.database.db.rows('SELECT pg_notify($1, $2)', [DELETION_EVENTS_CHANNEL, payload]);
    await expectOnlySentinelNext();
    expect([first.app.listener.ignored, second.app.listener.ignored]).toEqual(ignoredBefore.map((n) => n + bad.length));
  });

  it('fans one message out to hundreds of subscribers', async () => {
    const many = Array.from({ length: 300 }, () => new Inbox(first.app));
    try {
      const sent = message();
      await commit(sent);
      const received = await Promise.all(many.map((inbox) => inbox.take(1)));
      expect(received).toEqual(many.map(() => [sent]));
      for (const inbox of inboxes) expect(await inbox.take(1)).toEqual([sent]);
    } finally {
      await Promise.all(many.map((inbox) => inbox.close()));
    }
  });

  it('uses an event target without a listener cap, so hundreds of subscribers raise no leak warning', () => {
    // Node's default cap is 10 listeners per event type; jest hides process warnings, so the cap is read back.
    const target = new EventTarget();
    createAppPubSub(target);
    expect(getMaxListeners(target)).toBe(Infinity);
  });
});

describe('losing the LISTEN connection', () => {
  it('reconnects, closes this instance’s sockets with 4205 so clients refetch, and delivers again', async () => {
    const listeners = await first.database.db.rows<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() ORDER BY pid',
      [LISTENER_APPLICATION_NAME],
    );
    const pids = [first.app.listener.backendPid, second.app.listener.backendPid];
    expect(listeners.map((row) => row.pid).sort()).toEqual([...pids].sort());

    const token = `Bearer ${workspace.admins[0].token}`;
    const onFirst = watchWs(first.wsUrl, token, 3);
    const onSecond = watchWs(second.wsUrl, token, 3);
    await Promise.all([onFirst.nextConnect(), onSecond.nextConnect()]);
    const reconnectsBefore = second.app.listener.reconnects;

    const reconnected = once(first.app.listener, 'reconnected');
    const closed = onFirst.nextClose();
    await first.database.db.rows('SELECT pg_terminate_backend($1)', [pids[0]]);
    await settles(reconnected, { what: 'the listener to reconnect' });
    expect(await closed).toBe(4205);
    // graphql-ws retries 4205 by itself, maybe before anything listens again: counted. The reopened socket works.
    await waitFor(() => onFirst.connects === 2, { what: 'the client to reconnect' });
    const me = await executeWs(onFirst.client, MeDocument);
    expect(me).toEqual({ result: { data: { me: expect.objectContaining({ id: workspace.admins[0].id }) } } });

    expect(first.app.listener.connected).toBe(true);
    expect(first.app.listener.backendPid).not.toBe(pids[0]);
    expect(second.app.listener.reconnects).toBe(reconnectsBefore);
    // The other instance lost nothing, so its socket stayed open.
    expect(onSecond.closes).toEqual([]);
    await expectOnlySentinelNext();
    await Promise.all([onFirst.client.dispose(), onSecond.client.dispose()]);
  });
});

describe('reconnect backoff', () => {
  let admin: Client;
  let name: string;
  beforeAll(async () => {
    // Connected before connections to the test database are refused, and to another database.
    admin = new Client({ connectionString: process.env.TEST_ADMIN_URL });
    await admin.connect();
    name = (await first.database.db.one<{ name: string }>('SELECT current_database() AS name'))!.name;
  });
  afterAll(() => admin.end());

  /** Resolves after `count` more 'retrying' events, with their delays. */
  function retries(listener: DeletionEventListener, count: number): Promise<number[]> {
    const delays: number[] = [];
    return new Promise((resolve) => {
      const onRetry = (delay: number) => {
        delays.push(delay);
        if (delays.length < count) return;
        listener.off('retrying', onRetry);
        resolve(delays);
      };
      listener.on('retrying', onRetry);
    });
  }

  it('doubles the delay while the database refuses connections, caps it, and resets it after a success', async () => {
    let missed = 0;
    const received: DeletionEventMessage[] = [];
    let delivered: () => void = () => undefined;
    const listener = new DeletionEventListener({
      url: first.database.url,
      logger: createLogger('silent'),
      onMessage: (each) => {
        received.push(each);
        delivered();
      },
      onMissedEvents: () => (missed += 1),
      minBackoffMs: 20,
      maxBackoffMs: 80,
    });
    await listener.start();
    try {
      const refused = retries(listener, 4);
      await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
      try {
        await admin.query('SELECT pg_terminate_backend($1)', [listener.backendPid]);
        expect(await settles(refused, { what: 'four reconnect attempts' })).toEqual([20, 40, 80, 80]);
        expect(listener.connected).toBe(false);
        expect(missed).toBe(0);
      } finally {
        await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
      }
      await settles(once(listener, 'reconnected'), { what: 'the reconnect' });
      expect([listener.connected, listener.reconnects, missed]).toEqual([true, 1, 1]);

      // A later drop starts again from the shortest delay.
      const again = retries(listener, 1);
      const reconnected = once(listener, 'reconnected');
      await admin.query('SELECT pg_terminate_backend($1)', [listener.backendPid]);
      expect(await settles(again, { what: 'a reconnect attempt' })).toEqual([20]);
      await settles(reconnected, { what: 'the second reconnect' });
      expect([listener.reconnects, missed]).toEqual([2, 2]);

      const arrived = new Promise<void>((resolve) => (delivered = resolve));
      const sent = message();
      await commit(sent);
      await settles(arrived, { what: 'the message' });
      expect(received).toEqual([sent]);
    } finally {
      await listener.stop();
    }
    expect(listener.connected).toBe(false);
  });
});

describe('a separate server process on the same database', () => {
  it('LISTENs on a connection of its own, closes its sockets with 4205 after a reconnect, and with 1001 at SIGTERM', async () => {
    const child = startServerProcess({}, { database: first.database });
    const url = await child.ready();
    const listeners = await first.database.db.rows<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()',
      [LISTENER_APPLICATION_NAME],
    );
    const inProcess = [first.app.listener.backendPid, second.app.listener.backendPid];
    const its = listeners.map((row) => row.pid).filter((pid) => !inProcess.includes(pid));
    expect(its).toHaveLength(1);

    const socket = watchWs(url.replace(/^http/, 'ws'), `Bearer ${workspace.admins[0].token}`, 3);
    await socket.nextConnect();
    const dropped = socket.nextClose();
    await first.database.db.rows('SELECT pg_terminate_backend($1)', [its[0]]);
    expect(await dropped).toBe(4205);
    await waitFor(() => socket.connects === 2, { what: 'the client to reconnect' });
    const me = await executeWs(socket.client, MeDocument);
    expect(me).toEqual({ result: { data: { me: expect.objectContaining({ id: workspace.admins[0].id }) } } });

    const goingAway = socket.nextClose();
    const exitCode = child.stop();
    expect(await goingAway).toBe(1001);
    expect(await exitCode).toBe(0);
    await socket.client.dispose();
  });
});

describe('parseDeletionEventMessage', () => {
  // Built at collection time, before any workspace exists: the parser needs well-formed ids only.
  const sample = (): DeletionEventMessage => ({
    type: DeletionEventType.ACTIVATED,
    workspaceId: randomUUID(),
    deletionId: randomUUID(),
    actorId: randomUUID(),
    occurredAt: new Date().toISOString(),
  });

  it('reads back what publishDeletionEvent sends and keeps only the known fields', () => {
    const sent = sample();
    expect(parseDeletionEventMessage(JSON.stringify(sent))).toEqual(sent);
    expect(parseDeletionEventMessage(JSON.stringify({ ...sent, actorId: null, extra: 1 }))).toEqual({
      ...sent,
      actorId: null,
    });
  });

  it.each([
    ['no payload', undefined],
    ['not JSON', '{'],
    ['a non-object', '"ACTIVATED"'],
    ['an unknown type', JSON.stringify({ ...sample(), type: 'DONE' })],
    ['a workspace id that is no uuid', JSON.stringify({ ...sample(), workspaceId: '1' })],
    ['a missing deletion id', JSON.stringify({ ...sample(), deletionId: undefined })],
    ['a numeric actor', JSON.stringify({ ...sample(), actorId: 7 })],
    ['an unreadable date', JSON.stringify({ ...sample(), occurredAt: 'yesterday' })],
  ])('refuses %s', (_label, payload) => {
    expect(parseDeletionEventMessage(payload)).toBeNull();
  });
});
