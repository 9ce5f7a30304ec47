import {
  ActivateDeletionDocument,
  ArchivedObjectsDocument,
  CancelDeletionDocument,
  DeletionOverviewDocument,
  DeletionOverviewQuery,
  MarkForDeletionDocument,
  NotificationsDocument,
  RestoreObjectsDocument,
  UnmarkForDeletionDocument,
} from '../operations/generated';
import { OBJECT_TABLES, ObjectType } from '../src/database/object-tables';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { LocalFileStore } from '../src/domain/files/file-store';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, verifyProblems } from './support/deletion';
import { untouchedChecksum } from './support/executor-fixtures';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { OpenTransaction, openTransaction, waitForWaiterOf } from './support/row-locks';
import { startTestServer, TestServer } from './support/servers';
import { batchOfSql } from '../src/domain/deletion/batch-membership';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 2, 1);
});
// A row lock a test holds is released even when the test fails.
let holder: OpenTransaction | undefined;
afterEach(() => holder?.close());
afterAll(() => server?.close());

type Types = DeletionOverviewQuery['deletionOverview']['types'];
const figure = (types: Types, type: string) => types.find((t) => t.type === type)!;

async function overview(user: TestUser = ws.admins[0]) {
  return (await mustRequest(server.url, DeletionOverviewDocument, {}, user.token)).deletionOverview;
}

async function states(type: 'CONTACT' | 'DEAL' | 'TASK') {
  const data = await mustRequest(server.url, ArchivedObjectsDocument, { type, first: 200 }, ws.admins[0].token);
  return data.archivedObjects.edges.map((e) => e.node.deletionState);
}

async function notificationKinds(user: TestUser) {
  const data = await mustRequest(server.url, NotificationsDocument, { first: 50 }, user.token);
  return data.notifications.edges.map((e) => e.node.kind);
}

/** The objects still in a deletion and their files' storage keys. */
async function batchOf(deletionId: string) {
  const refs: { type: ObjectType; id: string }[] = [];
  for (const { table, type } of OBJECT_TABLES) {
    const rows = await server.database.db.rows<{ id: string }>(
      `SELECT id FROM ${table} WHERE ${batchOfSql('$1::uuid')}`,
      [deletionId],
    );
    refs.push(...rows.map(({ id }) => ({ type, id })));
  }
  const keys = await server.database.db.rows<{ key: string }>(
    'SELECT storage_key AS key FROM attachments WHERE object_id = ANY($1::uuid[])',
    [refs.map((r) => r.id)],
  );
  return { deletionId, workspaceId: ws.id, refs, keys: keys.map((k) => k.key) };
}

describe('deletion lifecycle over HTTP', () => {
  it('marks, activates, cancels, marks more and activates again, with exact figures and notifications', async () => {
    const [admin, admin2] = ws.admins;
    const contacts = await archivedObjects(server.url, admin, 'CONTACT', 3, { bytes: 700 });
    await archivedObjects(server.url, admin, 'DEAL', 2, { bytes: 50 });
    const [task] = await archivedObjects(server.url, admin, 'TASK', 1, { status: 'REMOVED' });

    const start = await overview();
    expect(start.canMark).toBe(true);
    expect(start.pending).toBeNull();
    expect(figure(start.types, 'CONTACT').archived).toEqual({ count: 3, bytes: 700 });
    expect(figure(start.types, 'CONTACT').marked).toEqual({ count: 0, bytes: 0 });

    // By refs: the marked figures move by exactly the count and bytes; repeating changes nothing.
    const byRefs = (await mustRequest(server.url, MarkForDeletionDocument, { refs: contacts }, admin.token))
      .markForDeletion;
    expect(byRefs.changed).toBe(3);
    expect(figure(byRefs.types, 'CONTACT').marked).toEqual({ count: 3, bytes: 700 });
    const again = (await mustRequest(server.url, MarkForDeletionDocument, { refs: contacts }, admin2.token))
      .markForDeletion;
    expect(again.changed).toBe(0);
    expect(figure(again.types, 'CONTACT').marked).toEqual({ count: 3, bytes: 700 });

    // By filter: every archived deal.
    const byFilter = (await mustRequest(server.url, MarkForDeletionDocument, { filter: { type: 'DEAL' } }, admin.token))
      .markForDeletion;
    expect(byFilter.changed).toBe(2);
    expect(figure(byFilter.types, 'DEAL').marked).toEqual({ count: 2, bytes: 50 });
    expect(figure(byFilter.types, 'TASK').marked.count).toBe(0);

    // Unmark and mark back one contact.
    const unmarked = (await mustRequest(server.url, UnmarkForDeletionDocument, { refs: [contacts[0]] }, admin.token))
      .unmarkForDeletion;
    expect(unmarked.changed).toBe(1);
    expect(figure(unmarked.types, 'CONTACT').marked).toEqual({ count: 2, bytes: 0 });
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [contacts[0]] }, admin.token);
    expect(await states('CONTACT')).toEqual(['MARKED', 'MARKED', 'MARKED']);

    // Activate: frozen figures, grace period, objects PENDING, selection empty, every admin notified.
    const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    expect(activated.status).toBe('PENDING');
    expect(activated.activatedBy.id).toBe(admin.id);
    expect(Date.parse(activated.executeAfter) - Date.parse(activated.activatedAt)).toBe(
      server.app.services.config.deletionGracePeriodMs,
    );
    expect(activated.total).toEqual({ count: 5, bytes: 750 });
    expect(activated.done).toEqual({ count: 0, bytes: 0 });
    expect(activated.byType).toEqual([
      { type: 'CONTACT', volume: { count: 3, bytes: 700 }, done: { count: 0, bytes: 0 } },
      { type: 'DEAL', volume: { count: 2, bytes: 50 }, done: { count: 0, bytes: 0 } },
    ]);
    expect(await states('CONTACT')).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(await states('DEAL')).toEqual(['PENDING', 'PENDING']);
    const pendingView = await overview();
    expect(pendingView.canMark).toBe(false);
    expect(pendingView.pending?.id).toBe(activated.id);
    expect(figure(pendingView.types, 'CONTACT').marked).toEqual({ count: 0, bytes: 0 });
    for (const a of ws.admins) expect(await notificationKinds(a)).toEqual(['DELETION_ACTIVATED']);
    expect(await notificationKinds(ws.members[0])).toEqual([]);

    // Cancel by the other admin: CANCELLED with who and when; objects back in the selection, still marked.
    const cancelled = (await mustRequest(server.url, CancelDeletionDocument, { id: activated.id }, admin2.token))
      .cancelDeletion;
    expect(cancelled).toMatchObject({ id: activated.id, status: 'CANCELLED', cancelledBy: { id: admin2.id } });
    expect(cancelled.cancelledAt).not.toBeNull();
    expect(await states('CONTACT')).toEqual(['MARKED', 'MARKED', 'MARKED']);
    const afterCancel = await overview();
    expect(afterCancel.canMark).toBe(true);
    expect(afterCancel.pending).toBeNull();
    expect(figure(afterCancel.types, 'CONTACT').marked).toEqual({ count: 3, bytes: 700 });
    expect(figure(afterCancel.types, 'DEAL').marked).toEqual({ count: 2, bytes: 50 });
    for (const a of ws.admins) expect(await notificationKinds(a)).toEqual(['DELETION_CANCELLED', 'DELETION_ACTIVATED']);

    // Mark more and activate again: the new deletion holds the old selection and the task.
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [task] }, admin.token);
    const second = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin2.token)).activateDeletion;
    expect(second.id).not.toBe(activated.id);
    expect(second.total).toEqual({ count: 6, bytes: 750 });
    expect(second.byType.map((t) => [t.type, t.volume.count])).toEqual([
      ['CONTACT', 3],
      ['DEAL', 2],
      ['TASK', 1],
    ]);

    // Restoring a pending object takes it out of the deletion; its frozen figures shrink.
    await mustRequest(server.url, RestoreObjectsDocument, { refs: [contacts[0]] }, admin.token);
    const shrunk = (await overview()).pending!;
    expect(shrunk.total).toEqual({ count: 5, bytes: 50 });
    expect(shrunk.byType[0]).toEqual({ type: 'CONTACT', volume: { count: 2, bytes: 0 }, done: { count: 0, bytes: 0 } });
    expect(await verifyProblems(server.app.services)).toEqual([]);

    // Execute with a moved clock: exactly the approved objects, their rows and files go; all else is intact.
    const bystanders = await createWorkspace(server.database.db, 1, 0);
    await archivedObjects(server.url, bystanders.admins[0], 'CONTACT', 2, { bytes: 40 });
    await archivedObjects(server.url, admin, 'CONTACT', 1, { bytes: 30 });
    const batch = await batchOf(second.id);
    expect(batch.refs).toHaveLength(5);
    expect(batch.keys).toHaveLength(1);
    const files = server.app.services.files as LocalFileStore;
    const before = await untouchedChecksum(server.database.db, files, batch);
    const due = new Date(Date.parse(second.executeAfter) + 1_000);
    expect(await server.app.scheduler.tick(due)).toEqual([
      { deletionId: second.id, outcome: ExecutionOutcome.COMPLETED },
    ]);
    expect(await untouchedChecksum(server.database.db, files, batch)).toEqual(before);
    expect(await batchOf(second.id)).toEqual({ ...batch, refs: [], keys: [] });
    for (const key of batch.keys) expect(await files.size(key)).toBeNull();
    expect(await states('CONTACT')).toEqual(['NONE']);
    const done = (await overview()).types;
    expect(figure(done, 'DEAL').all.count).toBe(0);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('restoring a marked object takes it out of the selection and its figures', async () => {
    const other = await createWorkspace(server.database.db, 1, 0);
    const [admin] = other.admins;
    const refs = await archivedObjects(server.url, admin, 'EMAIL', 2, { bytes: 50 });
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
    expect(figure((await overview(admin)).types, 'EMAIL').marked).toEqual({ count: 2, bytes: 50 });
    const restored = await mustRequest(server.url, RestoreObjectsDocument, { refs: [refs[0]] }, admin.token);
    expect(restored.restoreObjects[0].deletionState).toBe('NONE');
    const view = await overview(admin);
    expect(figure(view.types, 'EMAIL').marked).toEqual({ count: 1, bytes: 0 });
    expect(figure(view.types, 'EMAIL').archived).toEqual({ count: 1, bytes: 0 });
    const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    expect(activated.total).toEqual({ count: 1, bytes: 0 });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('an activation started during a restore waits for it: the restored object is not frozen', async () => {
    const [admin] = ws.admins;
    const refs = await archivedObjects(server.url, admin, 'EMAIL', 1, { bytes: 25 });
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
    // Hold the object's row: the restore takes the workspace lock, reads, then waits here for the row.
    holder = await openTransaction(server.database.url);
    await holder.sql.rows('SELECT id FROM emails WHERE id = $1 FOR UPDATE', [refs[0].id]);
    const restore = mustRequest(server.url, RestoreObjectsDocument, { refs }, admin.token);
    const restorePid = await waitForWaiterOf(server.database.db, holder.pid, 'the restore to wait for the row');
    // Between the restore's read and its row locks, another admin activates: it must wait for the restore.
    const activation = request(server.url, ActivateDeletionDocument, {}, ws.admins[1].token);
    await waitForWaiterOf(server.database.db, restorePid, 'the activation to wait for the restore');
    await holder.commit();
    expect((await restore).restoreObjects).toMatchObject([{ id: refs[0].id, archivedAt: null, deletionState: 'NONE' }]);
    // The activation ran after the restore committed and found the selection empty.
    expect(errorCode(await activation)).toBe('CONFLICT');
    expect((await overview()).pending).toBeNull();
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });
});
