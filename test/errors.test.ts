import { print } from 'graphql';
import { Client } from 'pg';
import { ArchivedObjectsDocument, CreateObjectDocument, MeDocument } from '../operations/generated';
import { connectWs, errorCode, executeWs, request } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { LogCapture } from './support/log-capture';
import { createObject, snapshot, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INTERNAL = { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

let server: TestServer;
let ws: TestWorkspace;
let capture: LogCapture;

beforeAll(async () => {
  capture = new LogCapture();
  server = await startTestServer({}, { logger: capture.logger });
  ws = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server?.close());

const db = () => server.database.db;

/** A raw GraphQL POST, to send and read the `x-request-id` header. */
async function post(url: string, operation: { query: string; variables?: object }, token?: string, requestId?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify(operation),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { errors?: { message: string; extensions?: Record<string, unknown> }[] };
  return { status: response.status, requestId: response.headers.get('x-request-id'), text, body };
}

/** Runs `work` while the contacts table is missing: a real driver error inside a resolver. */
async function withoutContactsTable(work: () => Promise<void>): Promise<void> {
  await db().rows('ALTER TABLE contacts RENAME TO contacts_hidden');
  try {
    await work();
  } finally {
    await db().rows('ALTER TABLE contacts_hidden RENAME TO contacts');
  }
}

describe('text PostgreSQL cannot store is refused as BAD_USER_INPUT before any SQL', () => {
  it.each([
    ['a NUL character', 'before\u0000after'],
    ['a lone surrogate', 'before\ud800after'],
  ])('createObject with %s in its title creates nothing', async (_what, title) => {
    const before = await snapshot(db());
    const refused = await request(
      server.url,
      CreateObjectDocument,
      { input: { type: 'CONTACT', title } },
      ws.members[0].token,
    );
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0].message).toMatch(/Argument "input\.title" contains a NUL character/);
    expect(await snapshot(db())).toBe(before);
  });

  it('refuses a NUL in titleContains, sent as a variable or as a literal', async () => {
    const filter = { titleContains: 'x\u0000' };
    const asVariable = await request(
      server.url,
      ArchivedObjectsDocument,
      { type: 'CONTACT', filter },
      ws.admins[0].token,
    );
    expect(errorCode(asVariable)).toBe('BAD_USER_INPUT');
    const query = '{ archivedObjects(type: CONTACT, filter: { titleContains: "x\\u0000" }) { totalCount } }';
    const asLiteral = await post(server.url, { query }, ws.admins[0].token);
    expect(asLiteral.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(asLiteral.text).not.toMatch(/byte sequence|UTF8/);
  });

  it('refuses a NUL over WebSocket too', async () => {
    const before = await snapshot(db());
    const { client } = connectWs(server.wsUrl, ws.members[0].token);
    try {
      const outcome = await executeWs(client, CreateObjectDocument, { input: { type: 'CONTACT', title: '\u0000' } });
      expect('result' in outcome && outcome.result.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    } finally {
      await client.dispose();
    }
    expect(await snapshot(db())).toBe(before);
  });

  it('refuses an upload whose object id holds a NUL, storing nothing', async () => {
    const ref = await createObject(server.url, ws.members[0], 'CONTACT');
    const before = await snapshot(db());
    const refused = await upload(server.url, ws.members[0].token, { ...ref, id: `${ref.id}\u0000` }, Buffer.from('x'));
    expect([refused.status, refused.body.error?.code]).toEqual([400, 'BAD_USER_INPUT']);
    expect(await snapshot(db())).toBe(before);
  });
});

describe('an error that is not ours answers "Internal server error" with a request id', () => {
  it('masks a driver error in a resolver over HTTP and logs the original under the caller’s request id', async () => {
    const [admin] = ws.admins;
    await withoutContactsTable(async () => {
      const query = print(ArchivedObjectsDocument);
      const answer = await post(server.url, { query, variables: { type: 'CONTACT' } }, admin.token, 'trace-42');
      expect(answer.requestId).toBe('trace-42');
      expect(answer.body.errors).toEqual([
        { ...INTERNAL, path: ['archivedObjects'], extensions: { ...INTERNAL.extensions, requestId: 'trace-42' } },
      ]);
      expect(answer.text).not.toMatch(/contacts|relation|SELECT/);
    });
    const logged = capture.linesOf('trace-42');
    const failure = logged.find((line) => line.msg === 'operation failed');
    expect(failure).toMatchObject({ level: 'error', userId: admin.id, workspaceId: ws.id });
    expect((failure?.err as { message: string }).message).toMatch(/relation "contacts" does not exist/);
    expect(logged.filter((line) => line.msg === 'graphql operation')).toHaveLength(1);
  });

  it('masks an upload’s driver error the same way, with the request id in the body and the log', async () => {
    const ref = await createObject(server.url, ws.members[0], 'CONTACT');
    await withoutContactsTable(async () => {
      const failed = await upload(server.url, ws.members[0].token, ref, Buffer.from('bytes'));
      expect(failed.status).toBe(500);
      expect(failed.body.error).toEqual({
        ...INTERNAL.extensions,
        message: INTERNAL.message,
        requestId: expect.stringMatching(UUID),
      });
      const requestId = (failed.body.error as unknown as { requestId: string }).requestId;
      const failure = capture.linesOf(requestId).find((line) => line.msg === 'attachment upload failed');
      expect((failure?.err as { message: string }).message).toMatch(/relation "contacts" does not exist/);
    });
  });

  it('replaces an unsafe x-request-id with a new one', async () => {
    for (const unsafe of ['has spaces in it', 'x'.repeat(200)]) {
      const answer = await post(server.url, { query: '{ __typename }' }, undefined, unsafe);
      expect(answer.requestId).toMatch(UUID);
    }
    expect((await post(server.url, { query: '{ __typename }' })).requestId).toMatch(UUID);
  });

  it('masks it over WebSocket with one request id per operation, each logged with its error', async () => {
    const { client } = connectWs(server.wsUrl, ws.admins[0].token);
    try {
      await withoutContactsTable(async () => {
        const ids: unknown[] = [];
        for (let i = 0; i < 2; i++) {
          const outcome = await executeWs(client, ArchivedObjectsDocument, { type: 'CONTACT' });
          const error = 'result' in outcome ? outcome.result.errors?.[0] : undefined;
          expect(error).toMatchObject({ message: 'Internal server error', extensions: INTERNAL.extensions });
          expect(JSON.stringify(error)).not.toMatch(/contacts|relation/);
          ids.push(error?.extensions?.requestId);
        }
        expect(ids[0]).toMatch(UUID);
        expect(ids[1]).toMatch(UUID);
        expect(ids[0]).not.toBe(ids[1]);
        for (const id of ids as string[]) {
          const failure = capture.linesOf(id).find((line) => line.msg === 'operation failed');
          expect((failure?.err as { message: string }).message).toMatch(/relation "contacts" does not exist/);
        }
      });
    } finally {
      await client.dispose();
    }
  });
});

describe('with the database down', () => {
  let down: TestServer | undefined;
  let downLog: LogCapture;
  const admin = new Client({ connectionString: process.env.TEST_ADMIN_URL });
  const name = () => new URL(down!.database.url).pathname.slice(1);

  beforeAll(async () => {
    downLog = new LogCapture();
    down = await startTestServer({}, { logger: downLog.logger });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE ${name()} WITH ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await down?.close();
  });

  it('answers a signed-in request with a bare internal error; the log names the cause', async () => {
    const user = (await createWorkspace(down!.database.db, 1, 0)).admins[0];
    // No new connection is accepted and every open one is cut: the pool cannot reach the database.
    await admin.query(`ALTER DATABASE ${name()} WITH ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name()]);
    const answer = await post(down!.url, { query: print(MeDocument) }, user.token, 'db-down-1');
    expect(answer.status).toBe(500);
    expect(answer.body.errors).toEqual([
      { ...INTERNAL, extensions: { ...INTERNAL.extensions, requestId: 'db-down-1' } },
    ]);
    const { hostname, port } = new URL(down!.database.url);
    for (const secret of [name(), hostname, `:${port}`, 'Context creation', 'connect']) {
      expect(answer.text).not.toContain(secret);
    }
    const failure = downLog.linesOf('db-down-1').find((line) => line.level === 'error');
    expect((failure?.err as { message: string }).message).toMatch(/not currently accepting connections|terminat/);
  });
});
