import { PlaceLegalHoldDocument } from '../operations/generated';
import { ObjectType, tableOf } from '../src/database/object-tables';
import { coverRows, refsFilter } from '../src/domain/holds/hold-cover';
import { Sql } from '../src/database/database';
import { ChunkScope, removeChunk } from '../src/scheduler/deletion-chunk';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { errorCode, request } from './support/clients';
import { verifyProblems } from './support/deletion';
import { createDueDeletion, Ref, testScheduler } from './support/executor-fixtures';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { openTransaction, OpenTransaction, waitUntilBlockedBy } from './support/row-locks';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let open: OpenTransaction | undefined;

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await open?.close();
  open = undefined;
});
afterAll(async () => {
  expect(await verifyProblems(server.app.services)).toEqual([]);
  await server.close();
});

const db = () => server.database.db;
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

/** A workspace whose deletion (due in 7 days) holds one archived contact and one archived deal. */
async function deletionOfTwo(): Promise<{ ws: TestWorkspace; admin: TestUser; contact: Ref; deal: Ref; id: string }> {
  const ws = await createWorkspace(db(), 1, 0);
  const [admin] = ws.admins;
  const insert = async (type: ObjectType): Promise<Ref> => {
    const row = await db().one<{ id: string }>(
      `INSERT INTO ${tableOf(type).table} (workspace_id, title, created_by, archived_at, archived_by)
       VALUES ($1, 'raced', $2, now(), $2) RETURNING id`,
      [ws.id, admin.id],
    );
    return { type, id: row!.id };
  };
  const contact = await insert(ObjectType.CONTACT);
  const deal = await insert(ObjectType.DEAL);
  const id = await createDueDeletion(db(), ws.id, admin.id, [contact, deal]);
  return { ws, admin, contact, deal, id };
}

/**
 * A chunk of up to 10 objects of deletion `deletionId`, as the executor runs it first (waiting for
 * locked rows), under the lease `takeLease` gives this test: the run's lease ends at once, so the
 * scheduler's next claim takes the deletion over.
 */
const chunkOf = (deletionId: string, workspaceId: string): ChunkScope => ({
  deletionId,
  workspaceId,
  limit: 10,
  record: true,
  skipLocked: false,
  instanceId: TEST_RUN,
  leaseMs: 0,
  lockWaitMs: 100,
  forget: [],
  progressPayload: undefined,
});
const TEST_RUN = 'legal-hold-race';

/** An executing chunk's first step in `sql`: the deletion row locked, EXECUTING under this test's lease. */
async function takeLease(sql: Sql, deletionId: string): Promise<void> {
  await sql.rows(
    `UPDATE deletions SET status = 'EXECUTING', started_at = now(), locked_by = $2, locked_until = now() WHERE id = $1`,
    [deletionId, TEST_RUN],
  );
}

async function exists({ type, id }: Ref): Promise<{ held_count: number } | undefined> {
  return db().one(`SELECT held_count FROM ${tableOf(type as ObjectType).table} WHERE id = $1`, [id]);
}

async function deletionFigures(id: string) {
  return db().one<{ status: string; count: number; done: number }>(
    `SELECT d.status, sum(v.count)::int AS count, sum(v.done_count)::int AS done
     FROM deletions d JOIN deletion_type_volumes v ON v.deletion_id = d.id WHERE d.id = $1 GROUP BY d.status`,
    [id],
  );
}

describe('a legal hold racing the executor', () => {
  it('waits for an executing chunk, then takes its object out: the held object survives the run', async () => {
    const { ws, admin, contact, deal, id } = await deletionOfTwo();
    // An executing chunk's transaction, stopped after removing the deal (it locks the deletion row first).
    open = await openTransaction(server.database.url);
    await takeLease(open.sql, id);
    expect((await removeChunk(open.sql, chunkOf(id, ws.id), tableOf(ObjectType.DEAL))).objects).toBe(1);

    const placing = request(server.url, PlaceLegalHoldDocument, { reason: 'raced', refs: [contact] }, admin.token);
    await waitUntilBlockedBy(db(), open, 'the hold to wait for the chunk');
    await open.commit();
    const placed = await placing;
    expect(placed.errors).toBeUndefined();
    expect(placed.data!.placeLegalHold.objectCount).toBe(1);

    expect(await server.app.scheduler.tick(inDays(8))).toEqual([
      { deletionId: id, outcome: ExecutionOutcome.COMPLETED },
    ]);
    expect(await exists(contact)).toEqual({ held_count: 1 });
    expect(await exists(deal)).toBeUndefined();
    expect(await deletionFigures(id)).toEqual({ status: 'COMPLETED', count: 1, done: 1 });
  });

  it('refuses a hold on an object an executing chunk removed meanwhile (NOT_FOUND), holding nothing', async () => {
    const { ws, admin, contact, id } = await deletionOfTwo();
    open = await openTransaction(server.database.url);
    await takeLease(open.sql, id);
    expect((await removeChunk(open.sql, chunkOf(id, ws.id), tableOf(ObjectType.CONTACT))).objects).toBe(1);

    const placing = request(server.url, PlaceLegalHoldDocument, { reason: 'late', refs: [contact] }, admin.token);
    await waitUntilBlockedBy(db(), open, 'the hold to wait for the chunk');
    await open.commit();
    expect(errorCode(await placing)).toBe('NOT_FOUND');
    expect(await db().one('SELECT id FROM legal_holds WHERE workspace_id = $1', [ws.id])).toBeUndefined();
  });

  it('keeps an object whose hold commits while the run is between chunks, by its row lock alone', async () => {
    const { ws, admin, contact, deal, id } = await deletionOfTwo();
    // The hold's statement, uncommitted, without the deletion row lock the service also takes:
    // the executor skips the locked row, and the committed hold has taken it out of the batch.
    open = await openTransaction(server.database.url);
    const hold = await open.sql.one<{ id: string }>(
      `INSERT INTO legal_holds (workspace_id, reason, placed_by, placed_at) VALUES ($1, 'row lock', $2, now()) RETURNING id`,
      [ws.id, admin.id],
    );
    const covered = await coverRows(open.sql, tableOf(ObjectType.CONTACT), hold!.id, refsFilter(ws.id, [contact.id]), {
      limit: 1,
      after: null,
      returnIds: true,
      deletionId: id,
    });
    expect(covered.covered).toBe(1);

    const transaction = open;
    const chunks: number[] = [];
    const scheduler = testScheduler(server.app.services, {
      chunkSize: 10,
      afterChunk: async (progress) => {
        chunks.push(progress.objects);
        if (chunks.length === 1) await transaction.commit();
      },
    });
    // Other tests' deletions are due too: this one's outcome is what counts.
    expect(await scheduler.tick(inDays(8))).toContainEqual({ deletionId: id, outcome: ExecutionOutcome.COMPLETED });
    expect(chunks[0]).toBe(1);
    expect(await exists(contact)).toEqual({ held_count: 1 });
    expect(await exists(deal)).toBeUndefined();
    expect(await deletionFigures(id)).toEqual({ status: 'COMPLETED', count: 1, done: 1 });
  });
});
