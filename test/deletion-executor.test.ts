import { Client } from 'pg';
import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  DeletionDocument,
  DeletionOverviewDocument,
  MarkForDeletionDocument,
  ObjectType,
  RestoreObjectsDocument,
} from '../operations/generated';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { SchedulerOptions } from '../src/scheduler/deletion-scheduler';
import { LocalFileStore } from '../src/domain/files/file-store';
import { runVerifyChecks } from '../src/domain/verify/verify-checks';
import { mustRequest } from './support/clients';
import {
  createDueDeletion,
  leaseLapsed,
  listenDeletionEvents,
  markObjects,
  Ref,
  untouchedChecksum,
  testScheduler,
} from './support/executor-fixtures';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, upload } from './support/objects';
import { openTransaction, waitForWaiterOf } from './support/row-locks';
import { STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';
import { startTestServer, TestServer } from './support/servers';
import { batchDeletionIdSql } from '../src/domain/deletion/batch-membership';

const DAY_MS = 86_400_000;
let server: TestServer;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  // The app's own timer stays out of the way: these tests tick by hand with a moved clock.
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', DELETION_CHUNK_SIZE: '3' });
  ws = await createWorkspace(server.database.db, 2, 1);
  other = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

const db = () => server.database.db;
const files = () => server.app.services.files as LocalFileStore;
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);

/** Creates `count` objects of each type through the API, with one file each, and archives them. */
async function archivedObjects(workspace: TestWorkspace, types: ObjectType[], count: number, archive = true) {
  const [admin] = workspace.admins;
  const refs: Ref[] = [];
  const keys: string[] = [];
  for (const type of types) {
    for (let i = 0; i < count; i++) {
      const ref = await createObject(server.url, admin, type);
      for (let f = 0; f <= i % 2; f++) {
        const stored = await upload(server.url, admin.token, ref, Buffer.alloc(100 + 10 * i + f, `${type}${i}`));
        expect(stored.status).toBe(201);
      }
      refs.push(ref);
    }
  }
  if (archive) await mustRequest(server.url, ArchiveObjectsDocument, { refs }, admin.token);
  const rows = await db().rows<{ key: string }>(
    'SELECT storage_key AS key FROM attachments WHERE object_id = ANY($1::uuid[])',
    [refs.map((r) => r.id)],
  );
  keys.push(...rows.map((row) => row.key));
  return { refs, keys };
}

/** A scheduler of its own over the test's services, for options the app's does not have. */
const scheduler = (options: Partial<SchedulerOptions> = {}) => testScheduler(server.app.services, options);

async function deletionRow(id: string) {
  return (await db().one<{
    status: string;
    completedAt: Date | null;
    failureReason: string | null;
    lockedBy: string | null;
  }>(
    `SELECT status, completed_at AS "completedAt", failure_reason AS "failureReason", locked_by AS "lockedBy"
     FROM deletions WHERE id = $1`,
    [id],
  ))!;
}

async function volumes(id: string) {
  return db().rows<{ type: string; count: number; bytes: number; doneCount: number; doneBytes: number }>(
    `SELECT object_type AS type, count::int, bytes::int, done_count::int AS "doneCount", done_bytes::int AS "doneBytes"
     FROM deletion_type_volumes WHERE deletion_id = $1 ORDER BY object_type`,
    [id],
  );
}

async function remainingObjects(refs: readonly Ref[]): Promise<string[]> {
  const ids = refs.map((r) => r.id);
  const found: string[] = [];
  for (const { table } of OBJECT_TABLES)
    found.push(
      ...(await db().rows<{ id: string }>(`SELECT id FROM ${table} WHERE id = ANY($1::uuid[])`, [ids])).map(
        (r) => r.id,
      ),
    );
  return found;
}

async function verifyProblems(): Promise<string[]> {
  return (await runVerifyChecks(server.app.services)).flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`));
}

/** Finishes any deletion a test left running, so the next test may create one in the workspace. */
afterEach(async () => {
  await db().rows(`UPDATE deletions SET status = 'CANCELLED' WHERE status IN ('PENDING', 'EXECUTING')`);
});

describe('deletion executor', () => {
  it('removes exactly the batch (objects, attachment rows, files) once due, and nothing else', async () => {
    const batch = await archivedObjects(ws, ['CONTACT', 'DEAL', 'TASK', 'CALL'], 2);
    const archivedOnly = await archivedObjects(ws, ['CONTACT', 'DEAL'], 1);
    const active = await archivedObjects(ws, ['CONTACT', 'EMAIL'], 1, false);
    const foreign = await archivedObjects(other, ['CONTACT', 'DEAL'], 2);
    await markObjects(db(), other.admins[0].id, foreign.refs.slice(0, 2));
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    const frozen = await volumes(deletionId);
    const listener = await listenDeletionEvents(server.database.url);
    const batchInfo = { deletionId, workspaceId: ws.id, refs: batch.refs, keys: batch.keys };
    const before = await untouchedChecksum(db(), files(), batchInfo);
    try {
      // Not yet due: a clock one day on claims nothing and changes nothing.
      expect(await server.app.scheduler.tick(inDays(1))).toEqual([]);
      expect((await deletionRow(deletionId)).status).toBe('PENDING');
      expect(await remainingObjects(batch.refs)).toHaveLength(batch.refs.length);

      expect(await server.app.scheduler.tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
      expect(await remainingObjects(batch.refs)).toEqual([]);
      const attachments = await db().rows('SELECT id FROM attachments WHERE object_id = ANY($1::uuid[])', [
        batch.refs.map((r) => r.id),
      ]);
      expect(attachments).toEqual([]);
      for (const key of batch.keys) expect(await files().size(key)).toBeNull();
      expect(await untouchedChecksum(db(), files(), batchInfo)).toEqual(before);
      expect(await remainingObjects([...archivedOnly.refs, ...active.refs, ...foreign.refs])).toHaveLength(8);

      const row = await deletionRow(deletionId);
      expect(row).toMatchObject({ status: 'COMPLETED', failureReason: null, lockedBy: null });
      expect(row.completedAt!.getTime()).toBeGreaterThan(inDays(7.9).getTime());
      const done = await volumes(deletionId);
      expect(done.map((v) => v.type)).toEqual(['CALL', 'CONTACT', 'DEAL', 'TASK']);
      expect(done).toEqual(frozen.map((v) => ({ ...v, doneCount: v.count, doneBytes: v.bytes })));
      expect(done.every((v) => v.count === 2 && v.bytes > 0)).toBe(true);
      const notified = await db().rows<{ userId: string; kind: string }>(
        'SELECT user_id AS "userId", kind FROM notifications WHERE deletion_id = $1 ORDER BY user_id',
        [deletionId],
      );
      expect(notified).toEqual(
        ws.admins
          .map((a) => ({ userId: a.id, kind: 'DELETION_COMPLETED' }))
          .sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      await waitFor(() => listener.messages.some((m) => m.type === 'COMPLETED'));
      const events = listener.messages.filter((m) => m.deletionId === deletionId);
      // 2 objects of each of four types, a chunk removing up to 3 of one type: four PROGRESS events, then COMPLETED.
      expect(events.map((m) => m.type)).toEqual(['PROGRESS', 'PROGRESS', 'PROGRESS', 'PROGRESS', 'COMPLETED']);
      expect(events.every((m) => m.workspaceId === ws.id && m.actorId === null)).toBe(true);
      expect(await db().rows('SELECT * FROM file_tombstones')).toEqual([]);
      expect(await verifyProblems()).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  it('treats a file already missing from the store as removed', async () => {
    const batch = await archivedObjects(ws, ['EMAIL'], 3);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    await files().delete(batch.keys[0]);
    expect(await server.app.scheduler.tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    expect(await remainingObjects(batch.refs)).toEqual([]);
    for (const key of batch.keys) expect(await files().size(key)).toBeNull();
    expect(await verifyProblems()).toEqual([]);
  });

  it('spares an object restored between two chunks; the deletion’s counts shrink', async () => {
    const batch = await archivedObjects(ws, ['CONTACT', 'CALL'], 2);
    const spared = batch.refs.find((r) => r.type === 'CALL')!;
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    const [callBefore] = (await volumes(deletionId)).filter((v) => v.type === 'CALL');
    const sparedBytes = (await db().one<{ b: number }>('SELECT attachment_bytes::int AS b FROM calls WHERE id = $1', [
      spared.id,
    ]))!.b;
    let chunks = 0;
    const restoring = scheduler({
      chunkSize: 1,
      afterChunk: async () => {
        // Contacts go first (table order): after the first chunk the CALL is still pending.
        if (++chunks === 1)
          await mustRequest(server.url, RestoreObjectsDocument, { refs: [spared] }, ws.admins[1].token);
      },
    });
    expect(await restoring.tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    expect(chunks).toBe(3);
    expect(await remainingObjects(batch.refs)).toEqual([spared.id]);
    const survivor = await db().one(
      `SELECT archived_at, ${batchDeletionIdSql('calls')} AS deletion_id, attachment_bytes::int AS b FROM calls WHERE id = $1`,
      [spared.id],
    );
    expect(survivor).toEqual({ archived_at: null, deletion_id: null, b: sparedBytes });
    const after = await volumes(deletionId);
    expect(after.find((v) => v.type === 'CALL')).toEqual({
      type: 'CALL',
      count: callBefore.count - 1,
      bytes: callBefore.bytes - sparedBytes,
      doneCount: callBefore.count - 1,
      doneBytes: callBefore.bytes - sparedBytes,
    });
    expect(after.every((v) => v.doneCount === v.count && v.doneBytes === v.bytes)).toBe(true);
    expect(await verifyProblems()).toEqual([]);
  });

  it('removes every object of the batch even when a type’s volume has drifted to “done”', async () => {
    const batch = await archivedObjects(ws, ['CONTACT', 'DEAL'], 2);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    // Volumes only steer which tables a chunk visits first; they never decide what is left.
    await db().rows(`UPDATE deletion_type_volumes SET count = 0 WHERE deletion_id = $1 AND object_type = 'CONTACT'`, [
      deletionId,
    ]);
    expect(await scheduler().tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    expect(await remainingObjects(batch.refs)).toEqual([]);
    expect(
      await db().rows('SELECT id FROM attachments WHERE object_id = ANY($1::uuid[])', [batch.refs.map((r) => r.id)]),
    ).toEqual([]);
  });

  it('releases its lease on stop() so another instance resumes at once', async () => {
    const batch = await archivedObjects(ws, ['DEAL'], 4);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    const first = scheduler({ chunkSize: 1, afterChunk: () => void first.stop() });
    expect(await first.tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.STOPPED }]);
    expect(await deletionRow(deletionId)).toMatchObject({ status: 'EXECUTING', lockedBy: null });
    expect(await remainingObjects(batch.refs)).toHaveLength(3);
    // Same moved clock: the lease would still run for a minute had it not been released.
    expect(await scheduler().tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    expect(await remainingObjects(batch.refs)).toEqual([]);
    expect(await verifyProblems()).toEqual([]);
  });

  it('completes when the file store refuses every delete: files stay tombstoned and pending until it works again', async () => {
    const batch = await archivedObjects(ws, ['TASK'], 2);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    const listener = await listenDeletionEvents(server.database.url);
    const broken = Object.create(files()) as LocalFileStore;
    broken.delete = () => Promise.reject(new Error('file store unavailable'));
    try {
      // Files are not objects: with every row gone the deletion is done, whatever the store says.
      expect(await scheduler({ files: broken, chunkSize: 10 }).tick(inDays(8))).toEqual([
        { deletionId, outcome: ExecutionOutcome.COMPLETED },
      ]);
      const row = await deletionRow(deletionId);
      expect(row).toMatchObject({ status: 'COMPLETED', failureReason: null, lockedBy: null });
      expect(await remainingObjects(batch.refs)).toEqual([]);
      // Every file is still tracked by a tombstone (none orphaned), and admins see them pending.
      const tombstones = await db().rows<{ key: string }>(
        'SELECT storage_key AS key FROM file_tombstones WHERE deletion_id = $1',
        [deletionId],
      );
      expect(tombstones.map((t) => t.key).sort()).toEqual([...batch.keys].sort());
      const { deletion } = await mustRequest(server.url, DeletionDocument, { id: deletionId }, ws.admins[0].token);
      expect(deletion).toMatchObject({ status: 'COMPLETED', filesPending: batch.keys.length });
      const kinds = await db().rows<{ kind: string }>('SELECT kind FROM notifications WHERE deletion_id = $1', [
        deletionId,
      ]);
      expect(kinds).toEqual(ws.admins.map(() => ({ kind: 'DELETION_COMPLETED' })));
      await waitFor(() => listener.messages.some((m) => m.type === 'COMPLETED'));
      expect(listener.messages.filter((m) => m.deletionId === deletionId).map((m) => m.type)).toEqual([
        'PROGRESS',
        'COMPLETED',
      ]);
      // Once the store works again, the next tick sweeps the files and their tombstones.
      for (const key of batch.keys) expect(await files().size(key)).not.toBeNull();
      await scheduler().tick(inDays(9));
      for (const key of batch.keys) expect(await files().size(key)).toBeNull();
      expect(await db().rows('SELECT id FROM file_tombstones WHERE deletion_id = $1', [deletionId])).toEqual([]);
      const after = await mustRequest(server.url, DeletionDocument, { id: deletionId }, ws.admins[0].token);
      expect(after.deletion?.filesPending).toBe(0);
      expect(await verifyProblems()).toEqual([]);
    } finally {
      await listener.close();
    }
  });
});

describe('tombstone verify check', () => {
  it('reports a tombstone older than a few minutes, not a fresh one', async () => {
    await db().rows(
      `INSERT INTO file_tombstones (storage_key, created_at) VALUES ('aa/fresh', now()), ('bb/stuck', now() - interval '10 minutes')`,
    );
    try {
      const problems = await verifyProblems();
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(
        /^no file tombstone older than 5 minutes: file bb\/stuck \(deletion none\) awaits removal since /,
      );
    } finally {
      await db().rows(`DELETE FROM file_tombstones WHERE storage_key IN ('aa/fresh', 'bb/stuck')`);
    }
  });

  it('puts what a FAILED run could not remove back into the selection, so a new activation finishes it', async () => {
    const [admin] = ws.admins;
    const batch = await archivedObjects(ws, ['DEAL'], 3);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: batch.refs }, admin.token);
    const { activateDeletion } = await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token);
    // Every chunk fails in the database, so no run makes progress.
    await db().rows(`CREATE FUNCTION refuse_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'deals are locked by the test'; END $$;
      CREATE TRIGGER refuse_delete BEFORE DELETE ON deals FOR EACH ROW EXECUTE FUNCTION refuse_delete()`);
    try {
      // Five runs fail in a row; each next claim waits for the failed run's lease to lapse.
      const failing = scheduler({ chunkSize: 10, leaseMs: 1_000 });
      for (let i = 0; i < 5; i++) {
        await waitFor(() => leaseLapsed(db(), activateDeletion.id));
        await failing.tick(inDays(8));
      }
    } finally {
      await db().rows('DROP TRIGGER refuse_delete ON deals; DROP FUNCTION refuse_delete()');
    }
    expect(await deletionRow(activateDeletion.id)).toMatchObject({ status: 'FAILED' });
    expect((await deletionRow(activateDeletion.id)).failureReason).toMatch(/^Stopped after 5 runs .*SQLSTATE P0001/);
    const { deletionOverview } = await mustRequest(server.url, DeletionOverviewDocument, {}, admin.token);
    expect(deletionOverview.pending).toBeNull();
    expect(deletionOverview.canMark).toBe(true);
    expect(deletionOverview.types.find((t) => t.type === 'DEAL')?.marked.count).toBe(3);
    expect(await verifyProblems()).toEqual([]);

    const again = await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token);
    expect(again.activateDeletion.total.count).toBe(3);
    await scheduler().tick(inDays(16));
    expect(await deletionRow(again.activateDeletion.id)).toMatchObject({ status: 'COMPLETED' });
    expect(await remainingObjects(batch.refs)).toEqual([]);
    expect(await verifyProblems()).toEqual([]);
  });

  it('waits for a row another transaction locks briefly and removes it in the same chunk, skipping nothing', async () => {
    const batch = await archivedObjects(ws, ['CONTACT'], 3);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
    const holder = await openTransaction(server.database.url);
    const chunks: number[] = [];
    try {
      await holder.sql.rows('SELECT id FROM contacts WHERE id = $1 FOR UPDATE', [batch.refs[0].id]);
      // A wait far longer than this test: the chunk must still be waiting when the holder lets go.
      const patient = scheduler({
        chunkSize: 10,
        chunkLockWaitMs: 600_000,
        afterChunk: (c) => void chunks.push(c.objects),
      });
      const ticking = patient.tick(inDays(8));
      await waitForWaiterOf(db(), holder.pid, 'the chunk to wait for the locked contact');
      await holder.close();
      expect(await ticking).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    } finally {
      await holder.close();
    }
    // One chunk took all three: the locked one was waited for, not skipped to a later chunk.
    expect(chunks).toEqual([3]);
    expect(await remainingObjects(batch.refs)).toEqual([]);
    expect(await verifyProblems()).toEqual([]);
  });

  it(
    'gives a claim up as RETRY when the rows left stay locked, and finishes once they are free',
    async () => {
      const batch = await archivedObjects(ws, ['CONTACT'], 3);
      const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch.refs, inDays(7));
      // Another session holds one object of the batch for as long as it likes.
      const holder = new Client({ connectionString: server.database.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT id FROM contacts WHERE id = $1 FOR UPDATE', [batch.refs[0].id]);
        const held = scheduler({ chunkSize: 10, leaseMs: 1_000, lockedRowsGiveUpMs: 100 });
        expect(await held.tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.RETRY }]);
        expect(await remainingObjects(batch.refs)).toEqual([batch.refs[0].id]);
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      // Once the lease has lapsed, the next claim resumes and removes the last one.
      await waitFor(() => leaseLapsed(db(), deletionId));
      expect(await scheduler().tick(inDays(8))).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
      expect(await remainingObjects(batch.refs)).toEqual([]);
      expect(await verifyProblems()).toEqual([]);
      // Every wait above fails by the stall rule; Jest's own limit must not fire first on a loaded machine.
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
});
