import { CreateObjectDocument, SetTaskStatusDocument } from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 1, 2);
  other = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server.close());

describe('createObject', () => {
  it('creates every type with its own fields, for members and admins', async () => {
    const types = ['CONTACT', 'ACTIVITY', 'OBJECT', 'DEAL', 'TASK', 'EMAIL', 'CALL'] as const;
    for (const type of types) {
      const data = await mustRequest(
        server.url,
        CreateObjectDocument,
        { input: { type, title: ` ${type} ` } },
        ws.members[0].token,
      );
      expect(data.createObject).toMatchObject({
        type,
        title: type,
        deletionState: 'NONE',
        archivedAt: null,
        attachmentBytes: 0,
      });
      expect(data.createObject.createdBy.id).toBe(ws.members[0].id);
    }
    const deal = await mustRequest(
      server.url,
      CreateObjectDocument,
      { input: { type: 'DEAL', title: 'big', amountCents: 2 ** 40, currency: 'EUR' } },
      ws.admins[0].token,
    );
    expect(deal.createObject).toMatchObject({ amountCents: 2 ** 40, currency: 'EUR' });
    const task = await mustRequest(
      server.url,
      CreateObjectDocument,
      { input: { type: 'TASK', title: 't' } },
      ws.admins[0].token,
    );
    expect(task.createObject).toMatchObject({ status: 'OPEN' });
  });

  it('refuses fields of another type and empty titles, changing nothing', async () => {
    const before = await snapshot(server.database.db);
    const foreign = await request(
      server.url,
      CreateObjectDocument,
      { input: { type: 'CONTACT', title: 'x', stage: 'WON' } },
      ws.members[0].token,
    );
    expect(errorCode(foreign)).toBe('BAD_USER_INPUT');
    expect(foreign.errors?.[0].message).toMatch(/CONTACT has no field stage/);
    const empty = await request(
      server.url,
      CreateObjectDocument,
      { input: { type: 'CONTACT', title: '  ' } },
      ws.members[0].token,
    );
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    const anonymous = await request(server.url, CreateObjectDocument, { input: { type: 'CONTACT', title: 'x' } });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
    expect(await snapshot(server.database.db)).toBe(before);
  });
});

describe('setTaskStatus', () => {
  it('lets the creator and admins change it, also when archived; others are refused', async () => {
    const [creator, stranger] = ws.members;
    const task = await createObject(server.url, creator, 'TASK');
    const byCreator = await mustRequest(
      server.url,
      SetTaskStatusDocument,
      { id: task.id, status: 'DONE' },
      creator.token,
    );
    expect(byCreator.setTaskStatus.status).toBe('DONE');
    await server.database.db.rows('UPDATE tasks SET archived_at = now(), archived_by = created_by WHERE id = $1', [
      task.id,
    ]);
    const byAdmin = await mustRequest(
      server.url,
      SetTaskStatusDocument,
      { id: task.id, status: 'REMOVED' },
      ws.admins[0].token,
    );
    expect(byAdmin.setTaskStatus.status).toBe('REMOVED');

    const before = await snapshot(server.database.db);
    const forbidden = await request(server.url, SetTaskStatusDocument, { id: task.id, status: 'OPEN' }, stranger.token);
    expect(errorCode(forbidden)).toBe('FORBIDDEN');
    for (const id of [task.id, 'not-a-uuid', '00000000-0000-4000-8000-000000000000']) {
      const notFound = await request(server.url, SetTaskStatusDocument, { id, status: 'OPEN' }, other.admins[0].token);
      expect(errorCode(notFound)).toBe('NOT_FOUND');
    }
    expect(await snapshot(server.database.db)).toBe(before);
  });

  it('refuses a marked or pending task any status but REMOVED/VERIFIED, with CONFLICT', async () => {
    const task = await createObject(server.url, ws.admins[0], 'TASK');
    await server.database.db.rows(
      `UPDATE tasks SET status = 'REMOVED', archived_at = now(), archived_by = created_by, marked_at = now(), marked_by = created_by
       WHERE id = $1`,
      [task.id],
    );
    const before = await snapshot(server.database.db);
    const refused = await request(
      server.url,
      SetTaskStatusDocument,
      { id: task.id, status: 'OPEN' },
      ws.admins[0].token,
    );
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors?.[0].message).toMatch(/unmark/);
    expect(await snapshot(server.database.db)).toBe(before);
    const allowed = await mustRequest(
      server.url,
      SetTaskStatusDocument,
      { id: task.id, status: 'VERIFIED' },
      ws.admins[0].token,
    );
    expect(allowed.setTaskStatus).toEqual({ id: task.id, status: 'VERIFIED', deletionState: 'MARKED' });
  });
});
