import {
  ActivateDeletionDocument,
  CancelDeletionDocument,
  MarkForDeletionDocument,
  PlaceLegalHoldDocument,
  UnmarkForDeletionDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, deletionSnapshot, verifyProblems } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { openTransaction, OpenTransaction, waitUntilBlockedBy } from './support/row-locks';
import { waitFor } from './support/wait-for';
import { MARK_CHUNK_ROWS } from '../src/domain/deletion/selection.service';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;

// The statement counts below are the request's own: no scheduler tick may land inside one.
beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
});
afterAll(async () => {
  expect(await verifyProblems(server.app.services)).toEqual([]);
  await server.close();
});

const db = () => server.database.db;
const state = async () => (await snapshot(db())) + (await deletionSnapshot(db()));

/** Sends `send`, expects the refusal code, and checks that no table changed. */
async function refused(code: string, send: () => Promise<Parameters<typeof errorCode>[0]>) {
  const before = await state();
  const response = await send();
  expect(errorCode(response)).toBe(code);
  expect(await state()).toBe(before);
  return response.errors![0];
}

describe('mark / unmark / activate / cancel refusals (each changes nothing)', () => {
  it('refuses members with FORBIDDEN', async () => {
    const ws = await createWorkspace(db(), 1, 1);
    const [member] = ws.members;
    const refs = await archivedObjects(server.url, member, 'CONTACT', 1);
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
    await refused('FORBIDDEN', () => request(server.url, MarkForDeletionDocument, { refs }, member.token));
    await refused('FORBIDDEN', () =>
      request(server.url, MarkForDeletionDocument, { filter: { type: 'CONTACT' } }, member.token),
    );
    await refused('FORBIDDEN', () => request(server.url, UnmarkForDeletionDocument, { refs }, member.token));
    await refused('FORBIDDEN', () => request(server.url, ActivateDeletionDocument, {}, member.token));
    const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, ws.admins[0].token)).activateDeletion;
    await refused('FORBIDDEN', () => request(server.url, CancelDeletionDocument, { id: deletion.id }, member.token));
    await refused('UNAUTHENTICATED', () => request(server.url, ActivateDeletionDocument, {}));
  });

  it('refuses active objects and tasks not REMOVED/VERIFIED with BAD_USER_INPUT naming them', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const archived = await archivedObjects(server.url, admin, 'DEAL', 1);
    const active = await createObject(server.url, admin, 'DEAL');
    const error = await refused('BAD_USER_INPUT', () =>
      request(server.url, MarkForDeletionDocument, { refs: [...archived, active] }, admin.token),
    );
    expect(error.extensions?.refs).toEqual([{ type: 'DEAL', id: active.id, reason: 'NOT_ARCHIVED' }]);

    const open = await archivedObjects(server.url, admin, 'TASK', 1, { status: 'OPEN' });
    const progress = await archivedObjects(server.url, admin, 'TASK', 1, { status: 'IN_PROGRESS' });
    const done = await archivedObjects(server.url, admin, 'TASK', 1, { status: 'DONE' });
    const ok = await archivedObjects(server.url, admin, 'TASK', 1, { status: 'VERIFIED' });
    const taskError = await refused('BAD_USER_INPUT', () =>
      request(server.url, MarkForDeletionDocument, { refs: [...open, ...progress, ...done, ...ok] }, admin.token),
    );
    expect(taskError.extensions?.tasks).toEqual(
      expect.arrayContaining([
        { id: open[0].id, status: 'OPEN' },
        { id: progress[0].id, status: 'IN_PROGRESS' },
        { id: done[0].id, status: 'DONE' },
      ]),
    );
    expect(taskError.extensions?.tasks).toHaveLength(3);
    expect(taskError.message).toContain('IN_PROGRESS');
    const marked = await mustRequest(server.url, MarkForDeletionDocument, { refs: ok }, admin.token);
    expect(marked.markForDeletion.changed).toBe(1);
  });

  it('refuses another workspace’s, unknown and malformed refs with NOT_FOUND', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const other = await createWorkspace(db(), 1, 0);
    const mine = await archivedObjects(server.url, ws.admins[0], 'CALL', 1);
    const foreign = await archivedObjects(server.url, other.admins[0], 'CALL', 1);
    for (const bad of [
      foreign[0],
      { type: 'CALL' as const, id: '00000000-0000-4000-8000-000000000000' },
      { type: 'CALL' as const, id: 'nope' },
    ]) {
      for (const document of [
        MarkForDeletionDocument,
        UnmarkForDeletionDocument,
      ] as (typeof MarkForDeletionDocument)[]) {
        const error = await refused('NOT_FOUND', () =>
          request(server.url, document, { refs: [...mine, bad] }, ws.admins[0].token),
        );
        expect(error.extensions?.refs).toEqual([{ type: 'CALL', id: bad.id, reason: 'NOT_FOUND' }]);
      }
    }
  });

  it('refuses more than 1000 refs, and both or neither of refs and filter, with BAD_USER_INPUT', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const refs = await archivedObjects(server.url, admin, 'OBJECT', 1);
    await refused('BAD_USER_INPUT', () =>
      request(server.url, MarkForDeletionDocument, { refs: Array(1001).fill(refs[0]) }, admin.token),
    );
    await refused('BAD_USER_INPUT', () =>
      request(server.url, MarkForDeletionDocument, { refs, filter: { type: 'OBJECT' } }, admin.token),
    );
    await refused('BAD_USER_INPUT', () => request(server.url, MarkForDeletionDocument, {}, admin.token));
    await refused('BAD_USER_INPUT', () => request(server.url, UnmarkForDeletionDocument, {}, admin.token));
    const accepted = await mustRequest(
      server.url,
      MarkForDeletionDocument,
      { refs: Array(1000).fill(refs[0]) },
      admin.token,
    );
    expect(accepted.markForDeletion.changed).toBe(1);
  });

  it('refuses marking, unmarking and activating while a deletion is pending or executing (CONFLICT saying what to do)', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const refs = await archivedObjects(server.url, admin, 'CONTACT', 2);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [refs[0]] }, admin.token);
    const deletion = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    for (const status of ['PENDING', 'EXECUTING']) {
      await db().rows('UPDATE deletions SET status = $2 WHERE id = $1', [deletion.id, status]);
      const mark = await refused('CONFLICT', () =>
        request(server.url, MarkForDeletionDocument, { refs: [refs[1]] }, admin.token),
      );
      expect(mark.message).toContain(status);
      expect(mark.message).toMatch(/wait/);
      if (status === 'PENDING') expect(mark.message).toMatch(/cancel/);
      await refused('CONFLICT', () =>
        request(server.url, MarkForDeletionDocument, { filter: { type: 'CONTACT' } }, admin.token),
      );
      await refused('CONFLICT', () => request(server.url, UnmarkForDeletionDocument, { refs: [refs[0]] }, admin.token));
      await refused('CONFLICT', () => request(server.url, ActivateDeletionDocument, {}, admin.token));
    }
    // An executing deletion cannot be cancelled; neither can a completed or a cancelled one.
    const executing = await refused('CONFLICT', () =>
      request(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token),
    );
    expect(executing.message).toContain('EXECUTING');
    // Completed as the executor would: its object removed while EXECUTING, then the status.
    await db().rows('DELETE FROM contacts WHERE id = $1', [refs[0].id]);
    await db().rows(`UPDATE deletions SET status = 'COMPLETED' WHERE id = $1`, [deletion.id]);
    const completed = await refused('CONFLICT', () =>
      request(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token),
    );
    expect(completed.extensions?.status).toBe('COMPLETED');
  });

  it('refuses an empty selection and cancelling twice with CONFLICT; foreign, unknown and malformed ids with NOT_FOUND', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const other = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const empty = await refused('CONFLICT', () => request(server.url, ActivateDeletionDocument, {}, admin.token));
    expect(empty.message).toMatch(/mark archived objects/);
    await archivedObjects(server.url, admin, 'ACTIVITY', 1);
    await refused('CONFLICT', () => request(server.url, ActivateDeletionDocument, {}, admin.token));

    const foreignRefs = await archivedObjects(server.url, other.admins[0], 'ACTIVITY', 1);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: foreignRefs }, other.admins[0].token);
    const foreign = (await mustRequest(server.url, ActivateDeletionDocument, {}, other.admins[0].token))
      .activateDeletion;
    for (const id of [foreign.id, '00000000-0000-4000-8000-000000000000', 'x']) {
      await refused('NOT_FOUND', () => request(server.url, CancelDeletionDocument, { id }, admin.token));
    }
    await mustRequest(server.url, CancelDeletionDocument, { id: foreign.id }, other.admins[0].token);
    const twice = await refused('CONFLICT', () =>
      request(server.url, CancelDeletionDocument, { id: foreign.id }, other.admins[0].token),
    );
    expect(twice.message).toContain('CANCELLED');
  });
});

describe('mark by filter', () => {
  it('marks by type, creator and archive time in one statement per table and chunk, skipping and counting unremovable tasks', async () => {
    const ws = await createWorkspace(db(), 1, 1);
    const [admin] = ws.admins;
    const [member] = ws.members;
    const byMember = await archivedObjects(server.url, member, 'DEAL', 2);
    await archivedObjects(server.url, admin, 'DEAL', 1);
    await archivedObjects(server.url, admin, 'TASK', 2, { status: 'OPEN' });
    await archivedObjects(server.url, admin, 'TASK', 1, { status: 'REMOVED' });
    await createObject(server.url, admin, 'CONTACT');

    const creator = await mustRequest(
      server.url,
      MarkForDeletionDocument,
      { filter: { createdBy: member.id } },
      admin.token,
    );
    expect(creator.markForDeletion.changed).toBe(2);
    const dealMarked = await db().rows<{ id: string }>('SELECT id FROM deals WHERE marked_at IS NOT NULL ORDER BY id');
    expect(dealMarked.map((r) => r.id).sort()).toEqual(byMember.map((r) => r.id).sort());

    const future = new Date(Date.now() + 60_000).toISOString();
    const none = await mustRequest(
      server.url,
      MarkForDeletionDocument,
      { filter: { archivedAfter: future } },
      admin.token,
    );
    expect(none.markForDeletion.changed).toBe(0);

    const before = server.app.services.db.statementCount;
    const all = await mustRequest(
      server.url,
      MarkForDeletionDocument,
      { filter: { archivedBefore: future } },
      admin.token,
    );
    // Sign-in 1, lock 1, pending check 1, one UPDATE per table and chunk of MARK_CHUNK_ROWS 7,
    // skipped tasks 1, unlock 1, overview 2: a fixed count up to a chunk's rows per table.
    expect(server.app.services.db.statementCount - before).toBe(14);
    expect(all.markForDeletion.changed).toBe(2);
    expect(all.markForDeletion.skippedTasks).toBe(2);
    const task = all.markForDeletion.types.find((t) => t.type === 'TASK')!;
    expect(task.marked.count).toBe(1);
    expect(all.markForDeletion.types.find((t) => t.type === 'CONTACT')!.marked.count).toBe(0);

    const unmarked = await mustRequest(
      server.url,
      UnmarkForDeletionDocument,
      { filter: { type: 'DEAL' } },
      admin.token,
    );
    expect(unmarked.unmarkForDeletion.changed).toBe(3);
  });
});

describe('mark by filter in chunks', () => {
  let rowLock: OpenTransaction | undefined;
  afterEach(() => rowLock?.close());

  it('changes more than a chunk in chunks of their own transactions', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const rows = MARK_CHUNK_ROWS + 5;
    await db().rows(
      `INSERT INTO deals (workspace_id, title, created_by, archived_at, archived_by)
       SELECT $1, 'deal ' || n, $2, now(), $2 FROM generate_series(1, $3) n`,
      [ws.id, admin.id, rows],
    );
    const before = server.app.services.db.statementCount;
    const marked = await mustRequest(server.url, MarkForDeletionDocument, { filter: { type: 'DEAL' } }, admin.token);
    expect(marked.markForDeletion.changed).toBe(rows);
    // Sign-in 1, lock 1, pending check 1, two chunks, unlock 1, overview 2.
    expect(server.app.services.db.statementCount - before).toBe(8);
    const unmarked = await mustRequest(server.url, UnmarkForDeletionDocument, { filter: {} }, admin.token);
    expect(unmarked.unmarkForDeletion.changed).toBe(rows);
  });

  it('walks chunk boundaries by archive time and id, skipping open and held tasks on either side', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const rows = 2 * MARK_CHUNK_ROWS + 3;
    // Seven archive times a microsecond apart, each shared by thousands of tasks: a chunk ends inside
    // a group of equal times, and the next one must go on after its last id, skipping none of them.
    await db().rows(
      `INSERT INTO tasks (workspace_id, title, created_by, archived_at, archived_by, status)
       SELECT $1, 'task ' || n, $2, timestamptz '2026-01-01 00:00:00.000001' + (n % 7) * interval '1 microsecond', $2,
         CASE WHEN n % 1000 = 0 THEN 'OPEN' ELSE 'REMOVED' END
       FROM generate_series(1, $3) n`,
      [ws.id, admin.id, rows],
    );
    const open = Math.floor(rows / 1000);
    // Three removable tasks where the first chunk ends, in the chunks' order.
    const held = await db().rows<{ id: string }>(
      `SELECT id FROM tasks WHERE workspace_id = $1 AND status = 'REMOVED' ORDER BY archived_at, id OFFSET $2 LIMIT 3`,
      [ws.id, MARK_CHUNK_ROWS - 2],
    );
    const refs = held.map(({ id }) => ({ type: 'TASK' as const, id }));
    await mustRequest(server.url, PlaceLegalHoldDocument, { reason: 'chunk boundary', refs }, admin.token);
    const markable = rows - open - held.length;

    const { markForDeletion } = await mustRequest(server.url, MarkForDeletionDocument, { filter: {} }, admin.token);
    expect(markForDeletion).toMatchObject({ changed: markable, skippedTasks: open, skippedHeld: held.length });
    expect(markForDeletion.types.find((t) => t.type === 'TASK')!.marked.count).toBe(markable);
    const marked = `SELECT count(*)::int AS n FROM tasks WHERE workspace_id = $1 AND marked_at IS NOT NULL`;
    expect((await db().one<{ n: number }>(marked, [ws.id]))!.n).toBe(markable);

    const { unmarkForDeletion } = await mustRequest(
      server.url,
      UnmarkForDeletionDocument,
      { filter: { type: 'TASK' } },
      admin.token,
    );
    expect(unmarkForDeletion.changed).toBe(markable);
    expect(unmarkForDeletion.types.find((t) => t.type === 'TASK')!.marked.count).toBe(0);
    expect((await db().one<{ n: number }>(marked, [ws.id]))!.n).toBe(0);
  });

  it('commits chunk by chunk but keeps an activation out until the whole filter is marked', async () => {
    const ws = await createWorkspace(db(), 2, 0);
    const [first, second] = ws.admins;
    const contacts = await archivedObjects(server.url, first, 'CONTACT', 2);
    const [activity] = await archivedObjects(server.url, first, 'ACTIVITY', 1);
    // Contacts come before activities: the mark commits the contacts, then waits for this row.
    rowLock = await openTransaction(server.database.url);
    await rowLock.sql.rows('SELECT 1 FROM activities WHERE id = $1 FOR UPDATE', [activity.id]);
    const marking = mustRequest(server.url, MarkForDeletionDocument, { filter: {} }, first.token);
    await waitUntilBlockedBy(db(), rowLock, 'the mark waiting for the locked activity');
    const marked = await db().one<{ n: number }>(
      `SELECT count(*)::int AS n FROM contacts WHERE workspace_id = $1 AND marked_at IS NOT NULL`,
      [ws.id],
    );
    expect(marked!.n).toBe(contacts.length);

    const activating = mustRequest(server.url, ActivateDeletionDocument, {}, second.token);
    await waitFor(
      async () =>
        (await db().one(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory' AND query LIKE '%pg_advisory_xact_lock%'`,
        )) !== undefined,
      { what: 'the activation waiting for the workspace lock' },
    );
    await rowLock.commit();
    expect((await marking).markForDeletion.changed).toBe(3);
    const { activateDeletion } = await activating;
    expect(activateDeletion.total.count).toBe(3);
  });
});

describe('simultaneous activations', () => {
  it('20 activations at once from two admins make exactly one deletion; 19 get CONFLICT', async () => {
    const ws = await createWorkspace(db(), 2, 0);
    const refs = await archivedObjects(server.url, ws.admins[0], 'EMAIL', 3);
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => request(server.url, ActivateDeletionDocument, {}, ws.admins[i % 2].token)),
    );
    const ok = responses.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    expect(responses.filter((r) => errorCode(r) === 'CONFLICT')).toHaveLength(19);
    const rows = await db().rows<{ id: string }>('SELECT id FROM deletions WHERE workspace_id = $1', [ws.id]);
    expect(rows.map((r) => r.id)).toEqual([ok[0].data!.activateDeletion.id]);
    expect(ok[0].data!.activateDeletion.total.count).toBe(3);
    const notes = await db().rows('SELECT 1 FROM notifications WHERE workspace_id = $1', [ws.id]);
    expect(notes).toHaveLength(2);
  });
});
