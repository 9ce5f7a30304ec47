import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { Client } from 'pg';
import { ArchiveObjectsDocument, DeletionEventsDocument, DeletionEventsSubscription } from '../operations/generated';
import { OBJECT_TABLES, ObjectType } from '../src/database/object-tables';
import { LocalFileStore } from '../src/domain/files/file-store';
import { connectWs, request } from './support/clients';
import { createDueDeletion, Ref, seedArchivedObjects } from './support/executor-fixtures';
import { settles, STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';
import { warmUpSubscriptions } from './support/warm-up';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { ServerProcess, startServerProcess, TEST_JWT_SECRET } from './support/servers';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { runVerifyCommand } from './support/cli-command';
import { batchOfSql } from '../src/domain/deletion/batch-membership';

const PER_TYPE = 20;
const CHUNK = 5;
// The type whose chunk the test holds up; the types before it are removed first (OBJECT_TABLES order).
const HELD_TYPE = ObjectType.DEAL;
const HELD_AT = OBJECT_TABLES.findIndex((t) => t.type === HELD_TYPE);

let database: TestDatabase;
let dataDir: string;
let cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-shutdown-'));
});
// Server processes are SIGKILLed and awaited by support/servers (first); then our sessions and children.
afterEach(async () => {
  for (const cleanup of cleanups) await Promise.resolve(cleanup()).catch(() => undefined);
  cleanups = [];
});
afterAll(async () => {
  await database.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const db = () => database.db;

/** The server as `npm start` runs it, over the test's database and file folder, with a fast scheduler. */
async function startServer(): Promise<{ main: ServerProcess; url: string }> {
  const main = startServerProcess(
    { SCHEDULER_INTERVAL: '50ms', DELETION_CHUNK_SIZE: String(CHUNK) },
    { database, dataDir },
  );
  return { main, url: await main.ready() };
}

/** A session of the test's own that holds row locks until `release()`. */
async function holdRowLocks(sql: string, params: unknown[]): Promise<{ release(): Promise<void> }> {
  const client = new Client({ connectionString: database.url });
  await client.connect();
  cleanups.push(() => client.end());
  await client.query('BEGIN');
  await client.query(sql, params);
  return { release: async () => void (await client.query('ROLLBACK')) };
}

/** The statements of other sessions waiting for a row lock, as PostgreSQL reports them. */
async function lockWaiters(): Promise<string[]> {
  const rows = await db().rows<{ query: string }>(
    `SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows.map((row) => row.query);
}

/** Per type: objects of the batch still present, and what the deletion's counters say is done. */
async function batchState(deletionId: string): Promise<Record<string, { left: number; count: number; done: number }>> {
  const state: Record<string, { left: number; count: number; done: number }> = {};
  for (const { table, type } of OBJECT_TABLES) {
    const row = await db().one<{ left: number; count: number; done: number }>(
      `SELECT (SELECT count(*)::int FROM ${table} WHERE ${batchOfSql('$1::uuid')}) AS left, v.count::int, v.done_count::int AS done
       FROM deletion_type_volumes v WHERE v.deletion_id = $1 AND v.object_type = $2`,
      [deletionId, type],
    );
    state[type] = row!;
  }
  return state;
}

/** Whether a fresh connection to `url` is refused (or answered 503): the server no longer takes new work. */
async function refusesNewWork(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { method: 'POST', headers: { connection: 'close' } })).status === 503;
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
  }
}

/** `npm run verify` against the test's database and files: its exit code and report. */
function runVerify(): Promise<{ code: number | null; stdout: string }> {
  return runVerifyCommand({ DATABASE_URL: database.url, DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET });
}

/** A batch of archived objects, each with a file, in a deletion not yet due; and one active contact. */
async function seedBatch(ws: TestWorkspace): Promise<{ deletionId: string; batch: Ref[]; contactId: string }> {
  const files = new LocalFileStore(path.join(dataDir, 'files'));
  const admin = ws.admins[0];
  const batch = await seedArchivedObjects(db(), files, {
    workspaceId: ws.id,
    userId: admin.id,
    perType: PER_TYPE,
    fileEvery: 1,
    fileBytes: 100,
  });
  const deletionId = await createDueDeletion(db(), ws.id, admin.id, batch);
  const contact = await db().one<{ id: string }>(
    `INSERT INTO contacts (workspace_id, title, created_by) VALUES ($1, 'to archive', $2) RETURNING id`,
    [ws.id, admin.id],
  );
  return { deletionId, batch, contactId: contact!.id };
}

it(
  'on SIGTERM finishes the request and the chunk in flight, closes sockets with 1001, refuses new work and exits 0',
  async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const admin = ws.admins[0];
    const { deletionId, batch, contactId } = await seedBatch(ws);
    const heldIds = batch.filter((ref) => ref.type === HELD_TYPE).map((ref) => ref.id);
    // The chunk of HELD_TYPE will wait in its DELETE of these attachment rows, its transaction open.
    const chunkLock = await holdRowLocks('SELECT id FROM attachments WHERE object_id = ANY($1::uuid[]) FOR UPDATE', [
      heldIds,
    ]);
    // archiveObjects will wait for this contact's row lock, its HTTP request open.
    const requestLock = await holdRowLocks('SELECT id FROM contacts WHERE id = $1 FOR UPDATE', [contactId]);

    const { main, url } = await startServer();
    const { client: wsClient, closed } = connectWs(url.replace(/^http/, 'ws'), admin.token);
    cleanups.push(() => wsClient.dispose());
    const events: DeletionEventsSubscription['deletionEvents'][] = [];
    wsClient.subscribe<DeletionEventsSubscription>(
      { query: print(DeletionEventsDocument) },
      {
        next: (result) => result.data && events.push(result.data.deletionEvents),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // The subscription is live once it heard a warm-up (about the deletion, not yet due); then the deletion is due.
    await warmUpSubscriptions(db(), [{ target: { workspaceId: ws.id, deletionId }, heard: () => events.length }]);
    await db().rows(`UPDATE deletions SET execute_after = now() - interval '1 second' WHERE id = $1`, [deletionId]);
    const archived = request(
      url,
      ArchiveObjectsDocument,
      { refs: [{ type: ObjectType.CONTACT, id: contactId }] },
      admin.token,
    );
    // Both are in flight: PostgreSQL shows the chunk and the request waiting for our locks.
    await waitFor(
      async () => {
        const waiting = await lockWaiters();
        return waiting.length === 2 && waiting.some((query) => query.includes('file_tombstones'));
      },
      { what: 'the chunk and the request to wait for our locks', progress: main.progress },
    );
    expect(events.some((event) => event.type === 'PROGRESS' && event.deletion!.done.count > 0)).toBe(true);

    const exited = main.stop();
    expect(await settles(closed, { what: 'the subscription socket to close', progress: main.progress })).toBe(1001);
    await waitFor(() => refusesNewWork(url), { what: 'the server to refuse new work', progress: main.progress });
    // Still draining: it waits for the request and the chunk, which wait for our locks.
    expect(main.child.exitCode).toBeNull();
    await requestLock.release();
    await chunkLock.release();

    const answer = await settles(archived, { what: 'the request in flight', progress: main.progress });
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data?.archiveObjects).toEqual([
      expect.objectContaining({ id: contactId, archivedAt: expect.any(String) }),
    ]);
    expect(await exited).toBe(0);

    // The chunk in flight committed whole and the run stopped after it: every type before HELD_TYPE
    // gone, one chunk of HELD_TYPE gone, the rest untouched; counters match the rows; lease released.
    const state = await batchState(deletionId);
    OBJECT_TABLES.forEach(({ type }, i) => {
      const left = i < HELD_AT ? 0 : i === HELD_AT ? PER_TYPE - CHUNK : PER_TYPE;
      expect({ type, ...state[type] }).toEqual({ type, left, count: PER_TYPE, done: PER_TYPE - left });
    });
    const deletion = await db().one<{ status: string; lockedBy: string | null }>(
      'SELECT status, locked_by AS "lockedBy" FROM deletions WHERE id = $1',
      [deletionId],
    );
    expect(deletion).toEqual({ status: 'EXECUTING', lockedBy: null });
    expect(await db().rows('SELECT id FROM file_tombstones')).toEqual([]);

    // A restart resumes the deletion to its end, and `npm run verify` finds no drift.
    const restarted = await startServer();
    await waitFor(
      async () =>
        (await db().one<{ status: string }>('SELECT status FROM deletions WHERE id = $1', [deletionId]))!.status ===
        'COMPLETED',
      { what: 'the restarted server to complete the deletion', progress: restarted.main.progress },
    );
    expect(await restarted.main.stop()).toBe(0);
    const verify = await runVerify();
    expect(verify.stdout).toContain('no drift');
    expect(verify.code).toBe(0);
  },
  STALL_GUARDED_TIMEOUT_MS,
);
