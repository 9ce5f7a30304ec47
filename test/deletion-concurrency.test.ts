import { ArchiveObjectsDocument, CancelDeletionDocument, UnmarkForDeletionDocument } from '../operations/generated';
import { Database } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { DeletionScheduler, TickResult } from '../src/scheduler/deletion-scheduler';
import { NotificationService } from '../src/services/notification.service';
import { runVerifyChecks } from '../src/services/verify-checks';
import { errorCode, mustRequest, request } from './support/clients';
import {
  createDueDeletion,
  listenDeletionEvents,
  Ref,
  seedArchivedObjects,
  testScheduler,
  waitFor,
} from './support/executor-fixtures';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject } from './support/objects';
import { startTestServer, TestServer } from './support/test-server';

const DAY_MS = 86_400_000;
let server: TestServer;
let ws: TestWorkspace;
// A second pool: another "instance" with connections of its own.
let otherDb: Database;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  ws = await createWorkspace(server.database.db, 1, 0);
  otherDb = await Database.connect(server.database.url, 5);
});
afterAll(async () => {
  await otherDb.close();
  await server.close();
});

const db = () => server.database.db;
const later = () => new Date(Date.now() + 8 * DAY_MS);

/** One scheduler "instance" over `database`, a pool of its own. */
function instance(database: Database, leaseMs: number, chunkSize: number, maxAttempts?: number): DeletionScheduler {
  const { files } = server.app.services;
  return testScheduler(
    { db: database, files, notifier: new NotificationService() },
    { leaseMs, chunkSize, maxAttempts },
  );
}

async function status(id: string): Promise<string> {
  return (await db().one<{ status: string }>('SELECT status FROM deletions WHERE id = $1', [id]))!.status;
}

async function countLeft(refs: readonly Ref[]): Promise<number> {
  let left = 0;
  for (const { table } of OBJECT_TABLES) {
    const row = await db().one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE id = ANY($1::uuid[])`, [
      refs.map((r) => r.id),
    ]);
    left += row!.n;
  }
  return left;
}

describe('two scheduler instances', () => {
  it.each([
    ['a normal lease: one instance claims, the other finds nothing', 60_000],
    ['a lease shorter than a chunk: instances take the run over from each other', 1],
  ])('execute a due deletion exactly once with %s', async (_label, leaseMs) => {
    const [admin] = ws.admins;
    const refs = await seedArchivedObjects(db(), server.app.services.files, {
      workspaceId: ws.id,
      userId: admin.id,
      perType: 40,
      fileEvery: 4,
      fileBytes: 64,
    });
    const deletionId = await createDueDeletion(db(), ws.id, admin.id, refs, new Date(Date.now() + 7 * DAY_MS));
    const listener = await listenDeletionEvents(server.database.url);
    // A 1 ms lease lets an instance steal the run before the other's next chunk, several times in a
    // row at times; the give-up limit is for runs that crash again and again, so it is lifted here.
    const a = instance(db(), leaseMs, 7, 1_000);
    const b = instance(otherDb, leaseMs, 7, 1_000);
    try {
      // Each instance ticks again and again, as its timer would, until the deletion is done.
      const deadline = Date.now() + 20_000;
      const keepTicking = async (scheduler: DeletionScheduler) => {
        const out: TickResult[] = [];
        while ((await status(deletionId)) !== 'COMPLETED' && Date.now() < deadline)
          out.push(...(await scheduler.tick(later())));
        return out;
      };
      const results = (await Promise.all([keepTicking(a), keepTicking(b)])).flat();
      expect(await status(deletionId)).toBe('COMPLETED');
      expect(results.filter((r) => r.outcome === ExecutionOutcome.COMPLETED)).toHaveLength(1);
      if (leaseMs > 1) expect(results).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
      // With the short lease the take-over must really have happened, or this case tests nothing.
      else expect(results.some((r) => r.outcome === ExecutionOutcome.LEASE_LOST)).toBe(true);
      expect(await countLeft(refs)).toBe(0);
      const volumes = await db().rows<{ count: number; done: number }>(
        'SELECT count::int, done_count::int AS done FROM deletion_type_volumes WHERE deletion_id = $1',
        [deletionId],
      );
      // Each object counted once: done equals the frozen total, never more.
      expect(volumes).toHaveLength(OBJECT_TABLES.length);
      expect(volumes.every((v) => v.count === 40 && v.done === 40)).toBe(true);
      await waitFor(() => listener.messages.some((m) => m.deletionId === deletionId && m.type === 'COMPLETED'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const events = listener.messages.filter((m) => m.deletionId === deletionId).map((m) => m.type);
      expect(events.filter((t) => t === 'COMPLETED')).toHaveLength(1);
      expect(events.at(-1)).toBe('COMPLETED');
      expect(events.filter((t) => t === 'PROGRESS').length).toBeGreaterThanOrEqual(Math.ceil(280 / 7));
      const notifications = await db().rows('SELECT id FROM notifications WHERE deletion_id = $1', [deletionId]);
      expect(notifications).toHaveLength(1);
      expect((await runVerifyChecks(server.app.services)).flatMap((r) => r.problems)).toEqual([]);
    } finally {
      await listener.close();
    }
  });

  it('cancel racing the claim: exactly one wins, and the events match the outcome', async () => {
    const [admin] = ws.admins;
    const listener = await listenDeletionEvents(server.database.url);
    const scheduler = instance(db(), 60_000, 2);
    const tally = { cancelled: 0, executed: 0 };
    try {
      for (let round = 0; round < 30; round++) {
        const refs: Ref[] = [];
        for (const type of ['CONTACT', 'DEAL', 'CALL'] as const) refs.push(await createObject(server.url, admin, type));
        await mustRequest(server.url, ArchiveObjectsDocument, { refs }, admin.token);
        const deletionId = await createDueDeletion(db(), ws.id, admin.id, refs, new Date(Date.now() + 7 * DAY_MS));
        // Vary who starts first (an HTTP request takes a few ms more than a claim), so both outcomes happen.
        const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        const [ticked, cancelResponse] = await Promise.all([
          delay(round % 12).then(() => scheduler.tick(later())),
          // The real mutation over HTTP: its conditional UPDATE races the claim on another connection.
          delay((round * 7) % 3).then(() =>
            request(server.url, CancelDeletionDocument, { id: deletionId }, admin.token),
          ),
        ]);
        const cancelled = !cancelResponse.errors;
        const final = await status(deletionId);
        const count = await countLeft(refs);
        const rows = await db().rows<{ marked: boolean; deletionId: string | null }>(
          `SELECT marked_at IS NOT NULL AS marked, deletion_id AS "deletionId" FROM contacts WHERE id = $1
           UNION ALL SELECT marked_at IS NOT NULL, deletion_id FROM deals WHERE id = $2
           UNION ALL SELECT marked_at IS NOT NULL, deletion_id FROM calls WHERE id = $3`,
          refs.map((r) => r.id),
        );
        await waitFor(() =>
          listener.messages.some((m) => m.deletionId === deletionId && ['CANCELLED', 'COMPLETED'].includes(m.type)),
        );
        const events = () => listener.messages.filter((m) => m.deletionId === deletionId).map((m) => m.type);
        if (cancelled) {
          tally.cancelled++;
          expect(ticked).toEqual([]);
          expect(final).toBe('CANCELLED');
          expect(count).toBe(3);
          // Back in the selection: still marked, no longer frozen into the deletion.
          expect(rows).toEqual(refs.map(() => ({ marked: true, deletionId: null })));
          expect(cancelResponse.data?.cancelDeletion.status).toBe('CANCELLED');
          expect(events()).toEqual(['CANCELLED']);
          // Leave the selection empty for the next round.
          await mustRequest(server.url, UnmarkForDeletionDocument, { refs }, admin.token);
        } else {
          tally.executed++;
          expect(ticked).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
          // The loser is told clearly, and nothing of the cancel happened.
          expect(errorCode(cancelResponse)).toBe('CONFLICT');
          expect(cancelResponse.errors?.[0].message).toMatch(/only a PENDING deletion can be cancelled/);
          expect(final).toBe('COMPLETED');
          expect(count).toBe(0);
          expect(events()).toEqual(['PROGRESS', 'PROGRESS', 'COMPLETED']);
        }
      }
      process.stderr.write(`cancel race: ${JSON.stringify(tally)}\n`);
      // Both sides must have won at least once, or the race was not exercised.
      expect(tally.cancelled).toBeGreaterThan(0);
      expect(tally.executed).toBeGreaterThan(0);
      expect((await runVerifyChecks(server.app.services)).flatMap((r) => r.problems)).toEqual([]);
    } finally {
      await listener.close();
    }
  });
});
