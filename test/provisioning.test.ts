import { randomUUID } from 'node:crypto';
import {
  DeletionOverviewDocument,
  IdentityDocument,
  ProvisioningChangesDocument,
  ProvisionUsersDocument,
  ProvisionWorkspacesDocument,
  UserProvisionInput,
} from '../operations/generated';
import { Role } from '../src/domain/domain-types';
import { errorCode, mustRequest, request, watchWs, WatchedWs } from './support/clients';
import { activateOne, archivedObjects } from './support/deletion';
import { TestUser } from './support/fixtures';
import { BACKEND_CLIENT, startTestIssuer, TestIssuer } from './support/oidc-provider';
import { startTestServer, TestServer } from './support/servers';
import { waitFor } from './support/wait-for';
import { subscribeLive } from './support/warm-up';

/**
 * Provisioning by the CRM's backend: upserts by external id, ≤ 1000 per call, all or nothing,
 * recorded for the workspace's admins; a role change or deactivation applies to the next request
 * and to open sockets within seconds.
 */
let issuer: TestIssuer;
let server: TestServer;
let backend: string;
const sockets: WatchedWs[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer();
  server = await startTestServer({ ...issuer.env, SOCKET_RECHECK_INTERVAL: '200ms' });
  backend = await issuer.clientCredentials(BACKEND_CLIENT);
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.client.dispose()));
});
afterAll(() => server?.close());

let counter = 0;

/** A new provisioned workspace with the given users (`admin-0`, `member-0` …), as TestUsers with issuer tokens. */
async function provisionedWorkspace(admins = 1, members = 1): Promise<{ org: string; users: TestUser[] }> {
  const org = `org-${++counter}-${randomUUID().slice(0, 8)}`;
  await mustRequest(server.url, ProvisionWorkspacesDocument, { input: [{ externalId: org, name: org }] }, backend);
  const inputs = [
    ...Array.from({ length: admins }, (_, n) => userInput(org, `admin-${n}`, 'ADMIN')),
    ...Array.from({ length: members }, (_, n) => userInput(org, `member-${n}`, 'MEMBER')),
  ];
  const { provisionUsers } = await mustRequest(server.url, ProvisionUsersDocument, { input: inputs }, backend);
  const users = await Promise.all(
    provisionUsers.map(async (user) => ({
      id: user.id,
      email: user.email,
      role: user.role as Role,
      token: await issuer.sign({ sub: user.externalId!, org_id: org }),
    })),
  );
  return { org, users };
}

function userInput(org: string, name: string, role: 'ADMIN' | 'MEMBER', active = true): UserProvisionInput {
  return { externalId: `${org}|${name}`, workspaceExternalId: org, email: `${name}@${org}.test`, name, role, active };
}

const provisionUsers = (input: UserProvisionInput[]) => request(server.url, ProvisionUsersDocument, { input }, backend);

/** Every user, workspace and provisioning record: what a refused batch must leave as it was. */
const snapshot = () =>
  server.database.db.rows(
    `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM workspaces) AS workspaces,
            (SELECT json_agg(u ORDER BY u.id) FROM users u WHERE external_id IS NOT NULL) AS provisioned,
            (SELECT count(*)::int FROM provisioning_changes) AS changes`,
  );

describe('provisionUsers', () => {
  it('upserts 1,000 users in one call, and the same call again changes and records nothing', async () => {
    const { org } = await provisionedWorkspace(0, 0);
    const input = Array.from({ length: 1000 }, (_, n) => userInput(org, `bulk-${n}`, n % 10 ? 'MEMBER' : 'ADMIN'));
    const first = await provisionUsers(input);
    expect(first.errors).toBeUndefined();
    expect(first.data?.provisionUsers.map((user) => user.externalId)).toEqual(input.map((user) => user.externalId));
    const before = await snapshot();
    const again = await provisionUsers(input);
    expect(again.data?.provisionUsers.map((user) => user.id)).toEqual(
      first.data?.provisionUsers.map((user) => user.id),
    );
    expect(await snapshot()).toEqual(before);
  });

  it('refuses 1,001 users, an unknown workspace or a taken e-mail address, changing nothing', async () => {
    const { org } = await provisionedWorkspace(1, 0);
    const before = await snapshot();
    const tooMany = Array.from({ length: 1001 }, (_, n) => userInput(org, `many-${n}`, 'MEMBER'));
    expect(errorCode(await provisionUsers(tooMany))).toBe('BAD_USER_INPUT');
    const unknown = [userInput(org, 'fine', 'MEMBER'), userInput('org-never-provisioned', 'x', 'MEMBER')];
    expect(errorCode(await provisionUsers(unknown))).toBe('BAD_USER_INPUT');
    const taken = [
      userInput(org, 'fine', 'MEMBER'),
      { ...userInput(org, 'other', 'MEMBER'), email: `admin-0@${org}.test` },
    ];
    expect(errorCode(await provisionUsers(taken))).toBe('CONFLICT');
    const twice = [userInput(org, 'same', 'MEMBER'), userInput(org, 'same', 'ADMIN')];
    expect(errorCode(await provisionUsers(twice))).toBe('BAD_USER_INPUT');
    expect(await snapshot()).toEqual(before);
  });

  it('provisions a user whose active is omitted or null as active', async () => {
    const { org } = await provisionedWorkspace(0, 0);
    const { active: _active, ...omitted } = userInput(org, 'omitted', 'MEMBER');
    const response = await provisionUsers([omitted, { ...userInput(org, 'null', 'MEMBER'), active: null }]);
    expect(response.errors).toBeUndefined();
    expect(response.data?.provisionUsers.map((user) => user.active)).toEqual([true, true]);
  });

  it('lets one person (one e-mail address) belong to two workspaces', async () => {
    const [a, b] = [await provisionedWorkspace(0, 0), await provisionedWorkspace(0, 0)];
    const person = (org: string) => ({ ...userInput(org, 'shared', 'MEMBER'), email: 'shared.person@example.test' });
    const response = await provisionUsers([person(a.org), person(b.org)]);
    expect(response.errors).toBeUndefined();
    expect(new Set(response.data?.provisionUsers.map((user) => user.id)).size).toBe(2);
  });
});

describe('provisioningChanges', () => {
  it('shows a workspace’s admins who changed what, and only theirs; members are FORBIDDEN', async () => {
    const { org, users } = await provisionedWorkspace(1, 1);
    const [admin] = users;
    await provisionUsers([userInput(org, 'member-0', 'ADMIN')]);
    const { provisioningChanges } = await mustRequest(server.url, ProvisioningChangesDocument, {}, admin.token);
    const nodes = provisioningChanges.edges.map((edge) => edge.node);
    expect(nodes[0]).toMatchObject({
      clientId: BACKEND_CLIENT.id,
      kind: 'user.updated',
      subjectExternalId: `${org}|member-0`,
    });
    expect(JSON.parse(nodes[0].changes)).toEqual({ role: { from: 'MEMBER', to: 'ADMIN' } });
    expect(nodes.map((node) => node.kind).sort()).toEqual([
      'user.created',
      'user.created',
      'user.updated',
      'workspace.created',
    ]);
    const other = await provisionedWorkspace(1, 1);
    const theirs = await mustRequest(server.url, ProvisioningChangesDocument, {}, other.users[0].token);
    expect(theirs.provisioningChanges.edges.every((edge) => edge.node.subjectExternalId.startsWith(other.org))).toBe(
      true,
    );
    expect(errorCode(await request(server.url, ProvisioningChangesDocument, {}, other.users[1].token))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('a role change or deactivation', () => {
  it('applies to the next request: a demoted admin is FORBIDDEN, a deactivated user UNAUTHENTICATED with their rows kept', async () => {
    const { org, users } = await provisionedWorkspace(1, 0);
    const [admin] = users;
    const archived = await archivedObjects(server.url, admin, 'CONTACT', 1);
    expect((await request(server.url, DeletionOverviewDocument, {}, admin.token)).errors).toBeUndefined();
    await provisionUsers([userInput(org, 'admin-0', 'MEMBER')]);
    expect(errorCode(await request(server.url, DeletionOverviewDocument, {}, admin.token))).toBe('FORBIDDEN');
    await provisionUsers([userInput(org, 'admin-0', 'MEMBER', false)]);
    expect(errorCode(await request(server.url, IdentityDocument, {}, admin.token))).toBe('UNAUTHENTICATED');
    const kept = await server.database.db.rows('SELECT id FROM contacts WHERE id = $1 AND archived_by = $2', [
      archived[0].id,
      admin.id,
    ]);
    expect(kept).toHaveLength(1);
  });

  it('closes a deactivated user’s idle socket with 4401 within the recheck interval', async () => {
    const { org, users } = await provisionedWorkspace(0, 1);
    const socket = watchWs(server.wsUrl, `Bearer ${users[0].token}`);
    sockets.push(socket);
    await socket.nextConnect();
    const closed = socket.nextClose();
    await provisionUsers([userInput(org, 'member-0', 'MEMBER', false)]);
    expect(await closed).toBe(4401);
  });

  it('stops a demoted admin’s deletion events while another admin still gets them', async () => {
    const { org, users } = await provisionedWorkspace(2, 0);
    const [demoted, kept] = users;
    const workspaceId = (await server.database.db.one<{ id: string }>(
      'SELECT id FROM workspaces WHERE external_id = $1',
      [org],
    ))!.id;
    const connect = (user: TestUser) => {
      const socket = watchWs(server.wsUrl, `Bearer ${user.token}`);
      sockets.push(socket);
      return socket.client;
    };
    const query = 'subscription { deletionEvents { type } }';
    const [demotedLog, keptLog] = await subscribeLive(server.database.db, { workspaceId, deletionId: randomUUID() }, [
      { client: connect(demoted), query },
      { client: connect(kept), query },
    ]);
    await provisionUsers([userInput(org, 'admin-0', 'MEMBER')]);
    await activateOne(server.url, kept);
    await waitFor(() => keptLog.settled() && demotedLog.settled(), {
      what: 'the event, or the end of the subscription',
    });
    expect(keptLog.payloads).toEqual([{ data: { deletionEvents: { type: 'ACTIVATED' } } }]);
    expect(demotedLog.payloads).toEqual([]);
    expect(demotedLog.endCodes()).toEqual(['FORBIDDEN']);
  });
});
