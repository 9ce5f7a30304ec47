import { CloseCode } from 'graphql-ws';
import jwt from 'jsonwebtoken';
import { ArchiveObjectsDocument, MeDocument } from '../operations/generated';
import { WsCloseCode } from '../src/ws/ws-close-codes';
import { AuthService } from '../src/domain/identity/auth.service';
import { executeWs, watchWs } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TEST_JWT_SECRET, TestServer } from './support/servers';

let server: TestServer;
let workspace: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  workspace = await createWorkspace(server.database.db, 1, 2);
});
afterAll(() => server.close());

const bearer = (token: string) => `Bearer ${token}`;

describe('close codes', () => {
  it('uses graphql-ws’s own Unauthorized code, and a 4205 that graphql-ws clients retry', () => {
    expect(WsCloseCode.Unauthorized).toBe(CloseCode.Unauthorized);
    expect(WsCloseCode.Unauthorized).toBe(4401);
    // graphql-ws gives up on its own 44xx/45xx protocol codes; 4205 must not be one of them.
    expect(Object.values(CloseCode)).not.toContain(WsCloseCode.EventsMissed);
  });
});

describe('connecting without a valid token', () => {
  const refusals: [string, () => string | undefined][] = [
    ['no authorization at all', () => undefined],
    ['an empty authorization', () => ''],
    ['a malformed authorization', () => 'Basic abc'],
    ['a token that is not a JWT', () => bearer('not-a-jwt')],
    [
      'a bad signature',
      () => bearer(new AuthService(server.database.db, 'another-secret-of-enough-length').sign(workspace.admins[0].id)),
    ],
    [
      'an expired token',
      () => bearer(new AuthService(server.database.db, TEST_JWT_SECRET).sign(workspace.admins[0].id, -10)),
    ],
    ['a token naming no user', () => bearer(jwt.sign({}, TEST_JWT_SECRET, { subject: 'nobody', expiresIn: 60 }))],
  ];

  it.each(refusals)(
    'closes the socket with 4401 for %s, and the operation never runs',
    async (_label, authorization) => {
      const [member] = workspace.members;
      const ref = await createObject(server.url, member, 'DEAL');
      const before = await snapshot(server.database.db);
      const socket = watchWs(server.wsUrl, authorization());
      // The member's own object: archiving it would succeed for anyone allowed in.
      const outcome = await executeWs(socket.client, ArchiveObjectsDocument, { refs: [ref] });
      expect(outcome).toEqual({ failure: expect.objectContaining({ code: 4401 }) });
      expect(socket.closes).toEqual([4401]);
      expect(socket.connects).toBe(0);
      expect(await snapshot(server.database.db)).toBe(before);
      await socket.client.dispose();
    },
  );

  it('closes with 4401 for a user deleted after the token was minted', async () => {
    const [, member] = await createWorkspace(server.database.db, 0, 2).then((w) => w.members);
    await server.database.db.rows('DELETE FROM users WHERE id = $1', [member.id]);
    const socket = watchWs(server.wsUrl, bearer(member.token));
    expect(await socket.nextClose()).toBe(4401);
    expect(socket.connects).toBe(0);
    await socket.client.dispose();
  });
});

describe('connecting with a valid token', () => {
  it.each(['member', 'admin'] as const)(
    'lets a %s connect and run queries and mutations over the socket',
    async (role) => {
      const user = role === 'admin' ? workspace.admins[0] : workspace.members[0];
      const socket = watchWs(server.wsUrl, bearer(user.token));
      const me = await executeWs(socket.client, MeDocument);
      expect(me).toEqual({ result: { data: { me: expect.objectContaining({ id: user.id, role: user.role }) } } });
      // The control for the refusals above: the same mutation does run for a valid token.
      const ref = await createObject(server.url, user, 'TASK');
      const archived = await executeWs(socket.client, ArchiveObjectsDocument, { refs: [ref] });
      expect(archived).toEqual({
        result: {
          data: {
            archiveObjects: [
              expect.objectContaining({ id: ref.id, archivedBy: expect.objectContaining({ id: user.id }) }),
            ],
          },
        },
      });
      expect(socket.closes).toEqual([]);
      await socket.client.dispose();
    },
  );

  it('closes the socket with 4401 when the token expires while connected, not before', async () => {
    const [member] = workspace.members;
    const token = new AuthService(server.database.db, TEST_JWT_SECRET).sign(member.id, 2);
    const expiresAt = (jwt.decode(token) as { exp: number }).exp * 1000;
    const socket = watchWs(server.wsUrl, bearer(token));
    const me = await executeWs(socket.client, MeDocument);
    expect(me).toEqual({ result: { data: { me: expect.objectContaining({ id: member.id }) } } });
    expect(await socket.nextClose()).toBe(4401);
    // Timers do not fire early; the margin covers Date.now()'s millisecond rounding only.
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 5);
    expect(socket.connects).toBe(1);
    await socket.client.dispose();
  });
});

describe('a server that cannot deliver events or is stopping', () => {
  let other: TestServer;
  let admin: TestWorkspace['admins'][number];

  beforeEach(async () => {
    other = await startTestServer();
    admin = (await createWorkspace(other.database.db, 1, 0)).admins[0];
  });
  afterEach(() => other.close());

  it('closes open sockets with 1001 Going Away on graceful shutdown', async () => {
    const socket = watchWs(other.wsUrl, bearer(admin.token));
    await socket.nextConnect();
    const closed = socket.nextClose();
    await other.app.server.stop();
    expect(await closed).toBe(1001);
    await socket.client.dispose();
  });

  it('refuses new sockets with 1013 Try Again Later while its listener is down', async () => {
    await other.app.listener.stop();
    const socket = watchWs(other.wsUrl, bearer(admin.token));
    expect(await socket.nextClose()).toBe(1013);
    expect(socket.connects).toBe(0);
    await socket.client.dispose();
  });
});
