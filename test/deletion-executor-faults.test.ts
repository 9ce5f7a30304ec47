import { LogCapture } from './support/log-capture';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { Client } from 'pg';
import { DeletionDocument, DeletionReceiptDocument } from '../operations/generated';
import { ReceiptPayload } from '../src/domain/receipts/receipt-payload';
import { ObjectType, tableOf } from '../src/database/object-tables';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { SchedulerOptions } from '../src/scheduler/deletion-scheduler';
import { LocalFileStore } from '../src/domain/files/file-store';
import { mustRequest } from './support/clients';
import { verifyProblems } from './support/deletion';
import { createDueDeletion, leaseLapsed, Ref, seedArchivedObjects, testScheduler } from './support/executor-fixtures';
import { receiptProblems } from './support/receipt-checks';
import { waitFor } from './support/wait-for';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { batchDeletionIdSql, batchOfSql } from '../src/domain/deletion/batch-membership';

let server: TestServer;

beforeAll(async () => {
  // The app's own timer stays out of the way: these tests tick schedulers of their own.
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
});
afterAll(() => server.close());

/** Ends whatever a test left running, so no lease or trigger outlives it. */
afterEach(async () => {
  await db().rows(`UPDATE deletions SET status = 'CANCELLED' WHERE status IN ('PENDING', 'EXECUTING')`);
});

const db = () => server.database.db;
const files = () => server.app.services.files as LocalFileStore;
const scheduler = (options: Partial<SchedulerOptions> = {}) => testScheduler(server.app.services, options);

/** A fresh workspace with one archived object of each type, each with a file, in a deletion due now. */
async function dueDeletion(): Promise<{ ws: TestWorkspace; deletionId: string; keys: string[]; refs: Ref[] }> {
  const ws = await createWorkspace(db(), 1, 0);
  const options = { workspaceId: ws.id, userId: ws.admins[0].id, perType: 1, fileEvery: 1, fileBytes: 50 };
  const refs = await seedArchivedObjects(db(), files(), options);
  const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, refs, new Date(Date.now() - 1_000));
  const rows = await db().rows<{ key: string }>(
    'SELECT storage_key AS key FROM attachments WHERE object_id = ANY($1::uuid[]) ORDER BY storage_key',
    [refs.map((r) => r.id)],
  );
  return { ws, deletionId, keys: rows.map((row) => row.key), refs };
}

async function tombstoneKeys(deletionId: string): Promise<string[]> {
  const rows = await db().rows<{ key: string }>(
    'SELECT storage_key AS key FROM file_tombstones WHERE deletion_id = $1 ORDER BY id',
    [deletionId],
  );
  return rows.map((row) => row.key);
}

async function deletionAsAdmin(ws: TestWorkspace, id: string) {
  return (await mustRequest(server.url, DeletionDocument, { id }, ws.admins[0].token)).deletion!;
}

describe('executor faults', () => {
  it('completes once every row is gone although a file cannot be unlinked, and tells admins it is pending', async () => {
    const { ws, deletionId, keys } = await dueDeletion();
    // A directory in the file's place: unlink fails (EISDIR) even for root, unlike `chattr +i`.
    const stuck = path.join(files().root, keys[0]);
    await rm(stuck);
    await mkdir(stuck);

    expect(await scheduler({ chunkSize: 100 }).tick(new Date())).toEqual([
      { deletionId, outcome: ExecutionOutcome.COMPLETED },
    ]);
    const completed = await deletionAsAdmin(ws, deletionId);
    expect(completed).toMatchObject({ status: 'COMPLETED', failureReason: null, filesPending: 1 });
    expect(completed.done).toEqual(completed.total);
    expect(completed.total.count).toBe(7);
    expect(await tombstoneKeys(deletionId)).toEqual([keys[0]]);
    for (const key of keys.slice(1)) expect(await files().size(key)).toBeNull();

    // The file sweeper owns the leftover: it keeps the tombstone while the store refuses ...
    await scheduler().tick(new Date());
    expect(await tombstoneKeys(deletionId)).toEqual([keys[0]]);
    // ... and clears it once the store lets go.
    await rmdir(stuck);
    await scheduler().tick(new Date());
    expect(await tombstoneKeys(deletionId)).toEqual([]);
    expect(await deletionAsAdmin(ws, deletionId)).toMatchObject({ status: 'COMPLETED', filesPending: 0 });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('stores a short failure reason without the error’s text (paths, SQL); the text goes to the log', async () => {
    const { ws, deletionId } = await dueDeletion();
    const secret = '/srv/crm/data/files/ab/the-server-path';
    await db().rows(`CREATE FUNCTION refuse_contact_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'cannot remove ${secret}'; END $$;
      CREATE TRIGGER refuse_contact_delete BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_contact_delete()`);
    const log = new LogCapture();
    try {
      const failing = scheduler({ logger: log.logger, maxAttempts: 2, leaseMs: 1_000 });
      expect(await failing.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.RETRY }]);
      // A failed run keeps its lease until it lapses (by the database's clock): that paces the retries.
      await waitFor(() => leaseLapsed(db(), deletionId));
      expect(await failing.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.FAILED }]);
    } finally {
      await db().rows('DROP TRIGGER refuse_contact_delete ON contacts; DROP FUNCTION refuse_contact_delete()');
    }
    const stored = await db().one<{ reason: string }>('SELECT failure_reason AS reason FROM deletions WHERE id = $1', [
      deletionId,
    ]);
    expect(stored!.reason).toBe(
      'Stopped after 2 runs in a row without progress. Last cause: the database refused to remove objects ' +
        '(SQLSTATE P0001). The server log has the details.',
    );
    const failed = await deletionAsAdmin(ws, deletionId);
    expect(failed).toMatchObject({ status: 'FAILED', failureReason: stored!.reason });
    expect(log.lines().filter((line) => JSON.stringify(line).includes(secret))).toHaveLength(2);
    // Nothing was removed: every object is back in the selection, still marked.
    expect(failed.done.count).toBe(0);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('gives a FAILED run one receipt, status FAILED, for exactly what it removed before failing, and none of the rest', async () => {
    const { ws, deletionId, refs } = await dueDeletion();
    // One object a chunk: contacts, activities and objects go first, then every chunk of deals fails in the database.
    await db().rows(`CREATE FUNCTION refuse_deal_delete() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'deals stay'; END $$;
      CREATE TRIGGER refuse_deal_delete BEFORE DELETE ON deals FOR EACH ROW EXECUTE FUNCTION refuse_deal_delete()`);
    try {
      const failing = scheduler({ chunkSize: 1, maxAttempts: 2, leaseMs: 1_000 });
      // The first run made progress, so its failure is the first of two attempts without progress.
      expect(await failing.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.RETRY }]);
      await waitFor(() => leaseLapsed(db(), deletionId));
      expect(await failing.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.FAILED }]);
    } finally {
      await db().rows('DROP TRIGGER refuse_deal_delete ON deals; DROP FUNCTION refuse_deal_delete()');
    }
    const failed = await deletionAsAdmin(ws, deletionId);
    expect(failed).toMatchObject({ status: 'FAILED', done: { count: 3, bytes: 150 } });
    const removed = refs.filter((ref) => ['CONTACT', 'ACTIVITY', 'OBJECT'].includes(ref.type));
    const kept = refs.filter((ref) => !removed.includes(ref));
    const exists = async (ref: Ref) =>
      (await db().one(`SELECT 1 FROM ${tableOf(ref.type as ObjectType).table} WHERE id = $1`, [ref.id])) !== undefined;
    for (const ref of refs) expect({ ref, exists: await exists(ref) }).toEqual({ ref, exists: kept.includes(ref) });
    // Verified too: the last removed chunk's file tombstone, kept by the failed chunk's rollback, was drained first.
    const admin = (await server.app.services.users.byIds([ws.admins[0].id]))[0]!;
    expect(
      await receiptProblems(server.app.services, admin, deletionId, { refs: removed, bytes: 150, files: 3 }),
    ).toEqual([]);
    const receipt = (await mustRequest(server.url, DeletionReceiptDocument, { id: deletionId }, ws.admins[0].token))
      .deletion!.receipt!;
    const payload = JSON.parse(Buffer.from(receipt.jws.split('.')[1], 'base64url').toString()) as ReceiptPayload;
    expect(payload.status).toBe('FAILED');
    expect(payload.byType.map((entry) => entry.type)).toEqual(['CONTACT', 'ACTIVITY', 'OBJECT']);
    for (const ref of kept)
      expect(await server.app.services.receipts.inclusionProof(admin, deletionId, ref)).toBeNull();
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('renews its lease from the database’s clock while a slow file unlink runs, so no one takes the run over', async () => {
    const { deletionId } = await dueDeletion();
    let firstUnlink = true;
    const seen: { lockedBy: string | null; renewed: boolean; takenOver: unknown[] }[] = [];
    const slow = Object.create(files()) as LocalFileStore;
    slow.delete = async (key: string) => {
      if (firstUnlink) {
        firstUnlink = false;
        // Stall until the lease this chunk started with has lapsed by the database's clock.
        const { until } = (await db().one<{ until: Date }>(
          'SELECT locked_until AS until FROM deletions WHERE id = $1',
          [deletionId],
        ))!;
        await waitFor(async () => (await db().one<{ past: boolean }>('SELECT now() > $1 AS past', [until]))!.past);
        const takenOver = await scheduler().tick(new Date());
        const row = (await db().one<{ lockedBy: string | null; renewed: boolean }>(
          'SELECT locked_by AS "lockedBy", locked_until > now() AS renewed FROM deletions WHERE id = $1',
          [deletionId],
        ))!;
        seen.push({ ...row, takenOver });
      }
      return files().delete(key);
    };
    const running = scheduler({ files: slow, chunkSize: 100, leaseMs: 1_000 });
    expect(await running.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    expect(seen).toEqual([{ lockedBy: running.instanceId, renewed: true, takenOver: [] }]);
  });

  it('gives up on rows that stay locked after the configured delay, and the reason names them', async () => {
    const { ws, deletionId } = await dueDeletion();
    const [held] = await db().rows<{ id: string }>(`SELECT id FROM deals WHERE ${batchOfSql('$1::uuid')}`, [
      deletionId,
    ]);
    const holder = new Client({ connectionString: server.database.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM deals WHERE id = $1 FOR UPDATE', [held.id]);
      const blocked = scheduler({ chunkSize: 100, leaseMs: 1_000, maxAttempts: 2, lockedRowsGiveUpMs: 50 });
      expect(await blocked.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.RETRY }]);
      await waitFor(() => leaseLapsed(db(), deletionId));
      // Giving up hands the held deal back to the selection without writing its row: no wait for the holder.
      expect(await blocked.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.FAILED }]);
      await holder.query('ROLLBACK');
    } finally {
      await holder.end();
    }
    const failed = await deletionAsAdmin(ws, deletionId);
    expect(failed.failureReason).toBe(
      'Stopped after 2 runs in a row without progress. Last cause: objects stayed locked by other ' +
        `transactions: DEAL ${held.id}. The server log has the details.`,
    );
    // Six of seven were removed; the held one is back in the selection, still marked.
    expect(failed.done.count).toBe(6);
    const deal = await db().one(
      `SELECT ${batchDeletionIdSql('deals')} AS deletion_id, marked_at IS NOT NULL AS marked FROM deals WHERE id = $1`,
      [held.id],
    );
    expect(deal).toEqual({ deletion_id: null, marked: true });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });
});
