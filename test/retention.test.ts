import {
  CancelDeletionDocument,
  DeletionOverviewDocument,
  DeletionOverviewQuery,
  UpdateDeletionSettingsDocument,
} from '../operations/generated';
import { Database } from '../src/database/database';
import { OBJECT_TABLES, tableOf } from '../src/database/object-tables';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { lockWorkspace } from '../src/domain/deletion/workspace-lock';
import { mustRequest } from './support/clients';
import { activateOne, archivedObjects, Ref, verifyProblems } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { createObject } from './support/objects';
import { testScheduler } from './support/executor-fixtures';
import { OpenTransaction, openTransaction } from './support/row-locks';
import { startTestServer, TestServer } from './support/servers';

/**
 * Retention policy: each scheduler tick marks, in every workspace with
 * `autoMarkAfterDays`, the archived objects archived longer ago than that, through the selection's
 * own mark by filter (tasks only when REMOVED or VERIFIED; nothing while a deletion is pending).
 * Ages are made by moving `archived_at` back, and ticks run at the real time, so no deletion of
 * another test ever becomes due.
 */
let server: TestServer;
let holder: OpenTransaction | undefined;
// A second pool: another "instance" with connections of its own.
let otherDb: Database;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  otherDb = await Database.connect(server.database.url, 5);
});
afterEach(async () => {
  await holder?.close();
  holder = undefined;
});
afterAll(async () => {
  await otherDb?.close();
  await server?.close();
});

type Types = DeletionOverviewQuery['deletionOverview']['types'];

async function setPolicy(admin: TestUser, autoMarkAfterDays: number | null): Promise<void> {
  await mustRequest(server.url, UpdateDeletionSettingsDocument, { input: { autoMarkAfterDays } }, admin.token);
}

/** Moves the objects' archive time `days` into the past (a counter-neutral change: still archived). */
async function age(refs: Ref[], days: number): Promise<void> {
  for (const { type, id } of refs) {
    await server.database.db.rows(
      `UPDATE ${tableOf(type).table} SET archived_at = archived_at - $2 * interval '1 day' WHERE id = $1`,
      [id, days],
    );
  }
}

/** The workspace's marked objects (in the selection or a deletion), as "TYPE id", and who marked them. */
async function marked(ws: TestWorkspace): Promise<{ refs: string[]; markers: (string | null)[] }> {
  const refs: string[] = [];
  const markers = new Set<string | null>();
  for (const { table, type } of OBJECT_TABLES) {
    const rows = await server.database.db.rows<{ id: string; marked_by: string | null }>(
      `SELECT id, marked_by FROM ${table} WHERE workspace_id = $1 AND marked_at IS NOT NULL`,
      [ws.id],
    );
    for (const row of rows) {
      refs.push(`${type} ${row.id}`);
      markers.add(row.marked_by);
    }
  }
  return { refs: refs.sort(), markers: [...markers] };
}

const names = (refs: Ref[]) => refs.map((r) => `${r.type} ${r.id}`).sort();

async function overviewTypes(admin: TestUser): Promise<Types> {
  return (await mustRequest(server.url, DeletionOverviewDocument, {}, admin.token)).deletionOverview.types;
}

const tick = () => server.app.scheduler.tick(new Date());

describe('retention policy (auto-mark)', () => {
  it('marks exactly the archived objects older than the policy, removable tasks only, with exact figures', async () => {
    const ws = await createWorkspace(server.database.db, 1, 1);
    const admin = ws.admins[0];
    const oldContacts = await archivedObjects(server.url, admin, 'CONTACT', 2, { bytes: 300 });
    const youngContacts = await archivedObjects(server.url, admin, 'CONTACT', 1);
    const oldDeals = await archivedObjects(server.url, ws.members[0], 'DEAL', 1, { bytes: 40 });
    const removable = [
      ...(await archivedObjects(server.url, admin, 'TASK', 1, { status: 'REMOVED' })),
      ...(await archivedObjects(server.url, admin, 'TASK', 1, { status: 'VERIFIED' })),
    ];
    const openTasks = await archivedObjects(server.url, admin, 'TASK', 1, { status: 'OPEN' });
    const active = await createObject(server.url, admin, 'CONTACT');
    await age([...oldContacts, ...oldDeals, ...removable, ...openTasks], 31);
    await age(youngContacts, 29);
    // Another workspace without a policy, with objects as old: untouched.
    const other = await createWorkspace(server.database.db, 1, 0);
    const otherContacts = await archivedObjects(server.url, other.admins[0], 'CONTACT', 2);
    await age(otherContacts, 400);

    await setPolicy(admin, 30);
    const before = await overviewTypes(admin);
    await tick();

    const expected = [...oldContacts, ...oldDeals, ...removable];
    const result = await marked(ws);
    expect(result.refs).toEqual(names(expected));
    expect(result.refs).not.toContain(`CONTACT ${active.id}`);
    // Marked by the policy, not by an admin.
    expect(result.markers).toEqual([null]);
    expect((await marked(other)).refs).toEqual([]);

    // The counters moved by exactly what was marked, and agree with a recount.
    const after = await overviewTypes(admin);
    const figure = (types: Types, type: string) => types.find((t) => t.type === type)!;
    expect(figure(before, 'CONTACT').marked).toEqual({ count: 0, bytes: 0 });
    expect(figure(after, 'CONTACT').marked).toEqual({ count: 2, bytes: 300 });
    expect(figure(after, 'DEAL').marked).toEqual({ count: 1, bytes: 40 });
    expect(figure(after, 'TASK').marked).toEqual({ count: 2, bytes: 0 });
    expect(figure(after, 'TASK').archived.count).toBe(3);
    expect(await verifyProblems(server.app.services)).toEqual([]);

    // Idempotent: the next tick finds nothing more; once the young contact ages past 30 days, it goes too.
    await tick();
    expect((await marked(ws)).refs).toEqual(names(expected));
    await age(youngContacts, 2);
    await tick();
    expect((await marked(ws)).refs).toEqual(names([...expected, ...youngContacts]));
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('marks nothing while a deletion is pending, and catches up once it is cancelled', async () => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    const admin = ws.admins[0];
    const deletionId = await activateOne(server.url, admin);
    const old = await archivedObjects(server.url, admin, 'DEAL', 2);
    await age(old, 10);
    await setPolicy(admin, 5);
    const pendingOnly = (await marked(ws)).refs;
    expect(pendingOnly).toHaveLength(1);

    await tick();
    expect((await marked(ws)).refs).toEqual(pendingOnly);

    await mustRequest(server.url, CancelDeletionDocument, { id: deletionId }, admin.token);
    await tick();
    expect((await marked(ws)).refs).toEqual([...pendingOnly, ...names(old)].sort());
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('leaves a workspace whose lock is held (an admin marking) to the next tick, and stops when turned off', async () => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    const admin = ws.admins[0];
    const old = await archivedObjects(server.url, admin, 'CALL', 2);
    await age(old, 3);
    await setPolicy(admin, 2);

    // The same lock an admin's mark or activation holds: the tick neither waits for it nor marks.
    holder = await openTransaction(server.database.url);
    await lockWorkspace(holder.sql, ws.id);
    await tick();
    expect((await marked(ws)).refs).toEqual([]);
    await holder.close();

    // Off: nothing is marked any more.
    await setPolicy(admin, null);
    await tick();
    expect((await marked(ws)).refs).toEqual([]);

    await setPolicy(admin, 2);
    await tick();
    expect((await marked(ws)).refs).toEqual(names(old));
  });

  it('marks each object once with two instances ticking at the same time, counters exact', async () => {
    const ws = await createWorkspace(server.database.db, 1, 0);
    const admin = ws.admins[0];
    const old = [
      ...(await archivedObjects(server.url, admin, 'EMAIL', 3, { bytes: 10 })),
      ...(await archivedObjects(server.url, admin, 'ACTIVITY', 2)),
    ];
    await age(old, 8);
    await setPolicy(admin, 7);
    const other = testScheduler({ db: otherDb, files: server.app.services.files, lifecycle: new DeletionLifecycle() });
    const now = new Date();
    await Promise.all([server.app.scheduler.tick(now), other.tick(now), server.app.scheduler.tick(now)]);
    expect((await marked(ws)).refs).toEqual(names(old));
    const types = await overviewTypes(admin);
    expect(types.find((t) => t.type === 'EMAIL')!.marked).toEqual({ count: 3, bytes: 10 });
    expect(types.find((t) => t.type === 'ACTIVITY')!.marked).toEqual({ count: 2, bytes: 0 });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });
});
