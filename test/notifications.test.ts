import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  MarkForDeletionDocument,
  MarkNotificationsReadDocument,
  NotificationsDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;
const deletionIds: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 2, 1);
  const [admin] = ws.admins;
  const refs = await archivedObjects(server.url, admin, 'CALL', 1);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  for (let i = 0; i < 2; i++) {
    const { id } = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    await mustRequest(server.url, CancelDeletionDocument, { id }, admin.token);
    deletionIds.push(id);
  }
});
afterAll(() => server.close());

async function inbox(user: TestUser, unreadOnly = false, first = 20, after: string | null = null) {
  return (await mustRequest(server.url, NotificationsDocument, { unreadOnly, first, after }, user.token)).notifications;
}

const readAts = (user: TestUser) =>
  server.database.db.rows('SELECT id, read_at FROM notifications WHERE user_id = $1 ORDER BY id', [user.id]);

describe('notifications', () => {
  it('lists a user’s own notifications newest first, page by page, with their deletion', async () => {
    const [admin, admin2] = ws.admins;
    const all = await inbox(admin2);
    expect(all.totalCount).toBe(4);
    expect(all.edges.map((e) => [e.node.kind, e.node.deletion?.id])).toEqual([
      ['DELETION_CANCELLED', deletionIds[1]],
      ['DELETION_ACTIVATED', deletionIds[1]],
      ['DELETION_CANCELLED', deletionIds[0]],
      ['DELETION_ACTIVATED', deletionIds[0]],
    ]);
    const first = await inbox(admin, false, 3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await inbox(admin, false, 3, first.pageInfo.endCursor);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect([...first.edges, ...rest.edges].map((e) => e.node.kind)).toEqual(all.edges.map((e) => e.node.kind));
    expect((await inbox(ws.members[0])).totalCount).toBe(0);
  });

  it('marks read, counts only those that became read, and unreadOnly hides them', async () => {
    const [, admin2] = ws.admins;
    const all = await inbox(admin2);
    const two = all.edges.slice(0, 2).map((e) => e.node.id);
    const marked = await mustRequest(server.url, MarkNotificationsReadDocument, { ids: two }, admin2.token);
    expect(marked.markNotificationsRead).toBe(2);
    const again = await mustRequest(server.url, MarkNotificationsReadDocument, { ids: [...two, two[0]] }, admin2.token);
    expect(again.markNotificationsRead).toBe(0);
    const unread = await inbox(admin2, true);
    expect(unread.totalCount).toBe(2);
    expect(unread.edges.map((e) => e.node.id)).toEqual(all.edges.slice(2).map((e) => e.node.id));
    expect((await inbox(admin2)).edges.slice(0, 2).every((e) => e.node.readAt !== null)).toBe(true);
  });

  it('refuses ids that are not the caller’s with NOT_FOUND and marks none of the batch', async () => {
    const [admin, admin2] = ws.admins;
    const mine = (await inbox(admin, true)).edges.map((e) => e.node.id);
    const theirs = (await inbox(admin2, true)).edges[0].node.id;
    for (const bad of [theirs, '00000000-0000-4000-8000-000000000000', 'x']) {
      const before = [await readAts(admin), await readAts(admin2)];
      const refused = await request(server.url, MarkNotificationsReadDocument, { ids: [...mine, bad] }, admin.token);
      expect(errorCode(refused)).toBe('NOT_FOUND');
      expect(refused.errors?.[0].extensions?.ids).toEqual([bad]);
      expect([await readAts(admin), await readAts(admin2)]).toEqual(before);
    }
    expect(errorCode(await request(server.url, NotificationsDocument, {}))).toBe('UNAUTHENTICATED');
  });
});
