import { OBJECT_TABLES } from '../../src/database/object-tables';
import { runVerifyChecks } from '../../src/domain/verify/verify-checks';
import { createDueDeletion, seedArchivedObjects, untouchedChecksum } from './executor-fixtures';
import { createWorkspace } from './fixtures';
import { receiptProblems } from './receipt-checks';
import { ServerEnv, ServerProcess, startServerProcess, startTestServer, TestServer } from './servers';
import { STALL_GUARDED_TIMEOUT_MS, waitFor } from './wait-for';
import { batchOfSql } from '../../src/domain/deletion/batch-membership';

const CHUNK_SIZE = 5;
const FILE_BYTES = 200;

/**
 * The crash test, for one file store: a deletion's process is SIGKILLed `kills` times at random
 * points; restarted each time, it completes exactly the batch (rows and files), touches nothing
 * else, and leaves no tombstone and no orphan file. `storage` gives the store's variables (none:
 * the local folder), read once the file's beforeAll hooks ran.
 */
export function crashTest({ kills, perType, storage }: { kills: number; perType: number; storage: () => ServerEnv }) {
  let server: TestServer;
  beforeAll(async () => {
    // This process only checks; its own scheduler never ticks during the test.
    server = await startTestServer({ SCHEDULER_INTERVAL: '1h', ...storage() });
  });
  afterAll(() => server?.close());

  const db = () => server.database.db;

  /**
   * Starts the server in a child process over the test's database and file folder, with a fast
   * scheduler. A failed run leaves no child behind writing to a dropped database: support/servers
   * SIGKILLs and awaits it after the test.
   */
  function startChild(): ServerProcess {
    return startServerProcess(
      { SCHEDULER_INTERVAL: '50ms', DELETION_CHUNK_SIZE: String(CHUNK_SIZE), DELETION_LEASE: '1s', ...storage() },
      { database: server.database, dataDir: server.dataDir },
    );
  }

  async function progress(deletionId: string): Promise<{ status: string; done: number }> {
    return (await db().one<{ status: string; done: number }>(
      `SELECT status, (SELECT coalesce(sum(done_count), 0)::int FROM deletion_type_volumes WHERE deletion_id = d.id) AS done
       FROM deletions d WHERE id = $1`,
      [deletionId],
    ))!;
  }

  it(
    `completes exactly the batch although its process is SIGKILLed ${kills} times at random points`,
    async () => {
      const ws = await createWorkspace(db(), 1, 1);
      const other = await createWorkspace(db(), 1, 0);
      const files = server.app.services.files;
      const seed = (workspaceId: string, userId: string, perType: number) =>
        seedArchivedObjects(db(), files, { workspaceId, userId, perType, fileEvery: 3, fileBytes: FILE_BYTES });
      const batch = await seed(ws.id, ws.admins[0].id, perType);
      await seed(ws.id, ws.members[0].id, 10); // archived, not in the batch
      await seed(other.id, other.admins[0].id, 10); // another workspace
      const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, batch, new Date(Date.now() - 1_000));
      const keys = (
        await db().rows<{ key: string }>(
          'SELECT storage_key AS key FROM attachments WHERE object_id = ANY($1::uuid[])',
          [batch.map((r) => r.id)],
        )
      ).map((row) => row.key);
      const info = { deletionId, workspaceId: ws.id, refs: batch, keys };
      const before = await untouchedChecksum(db(), files, info);

      const doneAtKill: number[] = [];
      for (let kill = 0; kill < kills; kill++) {
        const main = startChild();
        const start = (await progress(deletionId)).done;
        // Kill only once this run has made progress (so every restart resumes), then after a random number of
        // further chunks, so kills land at varied points. While it boots, the child's own work is the progress.
        const target = start + 1 + Math.floor(Math.random() * 3) * CHUNK_SIZE;
        // A child that ended (an exit, or a signal from outside the test) fails at once, not after a stall.
        await waitFor(async () => (await progress(deletionId)).done >= target || main.ended(), {
          what: `kill ${kill}: the child to delete a chunk`,
          progress: main.progress,
        });
        if (main.ended()) {
          const how = main.child.exitCode ?? main.child.signalCode;
          throw new Error(`the child ended before it was killed (${how}): ${main.output.stderr}`);
        }
        main.kill();
        await main.exited;
        const now = await progress(deletionId);
        expect(now.status).toBe('EXECUTING');
        doneAtKill.push(now.done);
      }
      const last = startChild();
      // The last child boots and waits for the killed one's lease to lapse before its first chunk: its work is progress too.
      await waitFor(async () => (await progress(deletionId)).status === 'COMPLETED', {
        what: 'the deletion to complete after the last restart',
        progress: async () => `${(await progress(deletionId)).done} ${last.progress()}`,
      });
      expect(await last.stop()).toBe(0);

      expect(doneAtKill.every((done, i) => i === 0 || done > doneAtKill[i - 1])).toBe(true);
      let left = 0;
      for (const { table } of OBJECT_TABLES)
        left += (await db().one<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${batchOfSql('$1::uuid')}`,
          [deletionId],
        ))!.n;
      expect(left).toBe(0);
      const volumes = await db().rows<{ count: number; done: number }>(
        'SELECT count::int, done_count::int AS done FROM deletion_type_volumes WHERE deletion_id = $1',
        [deletionId],
      );
      expect(volumes.every((v) => v.count === perType && v.done === perType)).toBe(true);
      for (const key of keys) expect(await files.size(key)).toBeNull();
      // Exactly the batch's files are gone: the store holds the files of the remaining rows and nothing else.
      const stored: string[] = [];
      for await (const { key } of files.list()) stored.push(key);
      const rows = await db().rows<{ key: string }>('SELECT storage_key AS key FROM attachments ORDER BY 1');
      expect(stored.sort()).toEqual(rows.map((row) => row.key).sort());
      expect(await db().rows('SELECT * FROM file_tombstones')).toEqual([]);
      expect(await untouchedChecksum(db(), files, info)).toEqual(before);
      // No orphan file, no attachment row without its file, counters exact.
      const problems = (await runVerifyChecks(server.app.services)).flatMap((r) => r.problems);
      expect(problems).toEqual([]);
      const notified = await db().rows<{ kind: string }>('SELECT kind FROM notifications WHERE deletion_id = $1', [
        deletionId,
      ]);
      expect(notified).toEqual([{ kind: 'DELETION_COMPLETED' }]);
      // Exactly one receipt, counting exactly the batch, although runs died between its chunks.
      const admin = (await server.app.services.users.byIds([ws.admins[0].id]))[0]!;
      const removed = { refs: batch, bytes: keys.length * FILE_BYTES, files: keys.length };
      expect(await receiptProblems(server.app.services, admin, deletionId, removed)).toEqual([]);
      process.stderr.write(`crash test: done at each kill ${doneAtKill.join(', ')} of ${batch.length}\n`);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
}
