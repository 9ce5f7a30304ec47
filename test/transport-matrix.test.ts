import { randomUUID } from 'node:crypto';
import { FormattedExecutionResult } from 'graphql';
import { Client as WsClient } from 'graphql-ws';
import { DeletionEventType, publishDeletionEvent } from '../src/domain/deletion/deletion-events';
import { connectWs } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { ServerProcess, startServerProcess } from './support/servers';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { settles, waitFor } from './support/wait-for';
import { subscribeLive } from './support/warm-up';

/**
 * Every operation kind over every transport, as admin, member and anonymous,
 * against a real `npm start` process. Each is answered, the process stays up and logs no
 * unhandled rejection (a subscription POSTed over HTTP used to kill it).
 */
type Role = 'admin' | 'member' | 'anonymous';
type Kind = 'query' | 'mutation' | 'subscription';

const OPERATIONS: Record<Kind, string> = {
  query: '{ me { role } }',
  mutation: 'mutation { markNotificationsRead(ids: []) }',
  // Only `type`: no field of this selection reads the database.
  subscription: 'subscription { deletionEvents { type } }',
};
const DATA: Record<Exclude<Kind, 'subscription'>, (role: Role) => unknown> = {
  query: (role) => ({ me: { role: role.toUpperCase() } }),
  mutation: () => ({ markNotificationsRead: 0 }),
};

let database: TestDatabase;
let server: ServerProcess;
let url: string;
let ws: TestWorkspace;
const openClients: WsClient[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  ws = await createWorkspace(database.db, 1, 1);
  server = startServerProcess({}, { database });
  url = await server.ready();
});
afterEach(async () => {
  await Promise.all(openClients.splice(0).map((client) => client.dispose()));
});
// support/servers kills the process first.
afterAll(() => database?.drop());

function tokenOf(role: Role): string | undefined {
  if (role === 'anonymous') return undefined;
  return (role === 'admin' ? ws.admins : ws.members)[0].token;
}

interface HttpAnswer {
  status: number;
  allow: string | null;
  contentType: string | null;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function overHttp(method: 'GET' | 'POST', kind: Kind, role: Role): Promise<HttpAnswer> {
  const token = tokenOf(role);
  const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const query = OPERATIONS[kind];
  const response =
    method === 'GET'
      ? await fetch(`${url}?query=${encodeURIComponent(query)}`, { headers: authorization })
      : await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...authorization },
          body: JSON.stringify({ query }),
        });
  return {
    status: response.status,
    allow: response.headers.get('allow'),
    contentType: response.headers.get('content-type'),
    body: (await response.json()) as HttpAnswer['body'],
  };
}

/** The server still answers, and nothing it ran left a promise rejection unhandled. */
async function expectServerUp(): Promise<void> {
  const answer = await overHttp('POST', 'query', 'admin');
  expect(answer.body).toEqual({ data: DATA.query('admin') });
  expect(server.output.stderr).not.toMatch(/unhandled/i);
}

describe.each(['POST', 'GET'] as const)('over HTTP %s', (method) => {
  it.each(['admin', 'member'] as const)('runs a query as %s', async (role) => {
    const answer = await overHttp(method, 'query', role);
    expect(answer).toMatchObject({ status: 200, body: { data: DATA.query(role) } });
    await expectServerUp();
  });

  it('refuses a subscription before execution and names the WebSocket transport', async () => {
    for (const role of ['admin', 'member'] as const) {
      const answer = await overHttp(method, 'subscription', role);
      // GET carries queries only (405, Allow: POST); a POSTed subscription is refused with 400.
      expect(answer.status).toBe(method === 'GET' ? 405 : 400);
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      if (method === 'POST') expect(answer.body.errors?.[0].message).toMatch(/WebSocket.*graphql-ws/);
      await expectServerUp();
    }
  });
});

describe('over HTTP POST', () => {
  it.each(['admin', 'member'] as const)('runs a mutation as %s', async (role) => {
    expect(await overHttp('POST', 'mutation', role)).toMatchObject({
      status: 200,
      body: { data: DATA.mutation(role) },
    });
    await expectServerUp();
  });

  it.each(['query', 'mutation', 'subscription'] as const)('answers an anonymous %s with a code', async (kind) => {
    const answer = await overHttp('POST', kind, 'anonymous');
    expect(answer.contentType).toMatch(/^application\/json/);
    expect(answer.body.errors?.[0].extensions?.code).toBe(
      kind === 'subscription' ? 'BAD_USER_INPUT' : 'UNAUTHENTICATED',
    );
    await expectServerUp();
  });
});

describe('over HTTP GET', () => {
  it.each(['admin', 'member'] as const)('refuses a mutation as %s with 405 and Allow: POST', async (role) => {
    const answer = await overHttp('GET', 'mutation', role);
    expect(answer).toMatchObject({ status: 405, allow: 'POST' });
    expect(answer.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await expectServerUp();
  });

  it.each(['query', 'mutation', 'subscription'] as const)(
    'refuses an anonymous %s as a possible CSRF',
    async (kind) => {
      // A GET with no Authorization header is what a foreign page can make a browser send.
      const answer = await overHttp('GET', kind, 'anonymous');
      expect(answer.status).toBe(400);
      expect(answer.body.errors?.[0]).toMatchObject({
        message: expect.stringMatching(/Cross-Site Request Forgery/),
        extensions: { code: 'BAD_USER_INPUT' },
      });
      await expectServerUp();
    },
  );
});

describe('over graphql-ws', () => {
  function connect(role: Role): ReturnType<typeof connectWs> {
    const connection = connectWs(url.replace(/^http/, 'ws'), tokenOf(role));
    openClients.push(connection.client);
    return connection;
  }

  /** The first result of `kind` on a socket: its data and errors, or how the socket failed. */
  function firstResult(client: WsClient, kind: Kind): Promise<FormattedExecutionResult> {
    const result = new Promise<FormattedExecutionResult>((resolve, reject) => {
      client.subscribe({ query: OPERATIONS[kind] }, { next: resolve, error: reject, complete: () => undefined });
    });
    return settles(result, { what: `the first result of a ${kind}`, progress: server.progress });
  }

  it.each([
    ['query', 'admin'],
    ['query', 'member'],
    ['mutation', 'admin'],
    ['mutation', 'member'],
  ] as const)('runs a %s as %s', async (kind, role) => {
    expect(await firstResult(connect(role).client, kind)).toEqual({ data: DATA[kind](role) });
    await expectServerUp();
  });

  it('delivers subscription events to an admin', async () => {
    const { client } = connect('admin');
    // No deletion row is read for `{ type }`, so the warm-ups and the event may name any id.
    const deletionId = randomUUID();
    const [log] = await subscribeLive(database.db, { workspaceId: ws.id, deletionId }, [
      { client, query: OPERATIONS.subscription },
    ]);
    await database.db.transaction((tx) =>
      publishDeletionEvent(tx, {
        type: DeletionEventType.CANCELLED,
        workspaceId: ws.id,
        deletionId,
        actorId: null,
        occurredAt: new Date().toISOString(),
      }),
    );
    await waitFor(() => log.settled(), { what: 'the event', progress: server.progress });
    expect(log.payloads).toEqual([{ data: { deletionEvents: { type: 'CANCELLED' } } }]);
    await expectServerUp();
  });

  it('refuses a member’s subscription with FORBIDDEN', async () => {
    const { client } = connect('member');
    expect(await firstResult(client, 'subscription')).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })],
    });
    await expectServerUp();
  });

  it.each(['query', 'mutation', 'subscription'] as const)(
    'closes an anonymous socket sending a %s with 4401',
    async (kind) => {
      const { client, closed } = connect('anonymous');
      void firstResult(client, kind).catch(() => undefined);
      expect(await settles(closed, { what: 'the 4401 close', progress: server.progress })).toBe(4401);
      await expectServerUp();
    },
  );
});
