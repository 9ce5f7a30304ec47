import { Client } from 'pg';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { verifyProblems } from './support/deletion';
import { createDueDeletion, leaseLapsed, seedArchivedObjects, testScheduler } from './support/executor-fixtures';
import { STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';
import { createWorkspace } from './support/fixtures';
import { startServerProcess, startTestServer, TestServer } from './support/servers';

// As many dead claims as it takes, counted per claim, to fail a deletion (MAX_ATTEMPTS_WITHOUT_PROGRESS).
const CRASHES = 5;

let server: TestServer;
let holder: Client | undefined;

beforeAll(async () => {
  // This process only checks, and runs the healthy claim at the end; its own timer never ticks.
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
});
afterEach(async () => {
  await holder?.end();
});
afterAll(() => server.close());

const db = () => server.database.db;

/** Sessions waiting for a lock the holder's session holds. */
async function blockedBy(holderPid: number): Promise<number[]> {
  const rows = await db().rows<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
    [holderPid],
  );
  return rows.map((row) => row.pid);
}

it(
  `does not fail a healthy deletion after ${CRASHES} claims that died before their first commit`,
  async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const files = server.app.services.files;
    const options = { workspaceId: ws.id, userId: ws.admins[0].id, perType: 2, fileEvery: 2, fileBytes: 50 };
    const refs = await seedArchivedObjects(db(), files, options);
    const deletionId = await createDueDeletion(db(), ws.id, ws.admins[0].id, refs, new Date(Date.now() - 1_000));
    // Holding the deletion's progress rows makes every run's first chunk wait inside its transaction.
    holder = new Client({ connectionString: server.database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM deletion_type_volumes WHERE deletion_id = $1 FOR UPDATE', [deletionId]);
    const holderPid = (await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;

    for (let crash = 0; crash < CRASHES; crash++) {
      const child = startServerProcess(
        { SCHEDULER_INTERVAL: '50ms', DELETION_LEASE: '1s' },
        { database: server.database, dataDir: server.dataDir },
      );
      // The instance has claimed the deletion and its first chunk waits: now the process dies ...
      await waitFor(async () => (await blockedBy(holderPid)).length > 0 || child.child.exitCode !== null, {
        what: `crash ${crash}: the child's first chunk to wait for the held rows`,
        progress: child.progress,
      });
      if (child.child.exitCode !== null) throw new Error(`the child exited by itself: ${child.output.stderr}`);
      child.kill();
      await child.exited;
      // ... and its connection with it (PostgreSQL notices a dead client only once the lock wait ends).
      await db().rows('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [await blockedBy(holderPid)]);
      await waitFor(() => leaseLapsed(db(), deletionId));
    }
    await holder.query('ROLLBACK');

    const healthy = testScheduler(server.app.services, { chunkSize: 100 });
    expect(await healthy.tick(new Date())).toEqual([{ deletionId, outcome: ExecutionOutcome.COMPLETED }]);
    const row = await db().one('SELECT status, failure_reason FROM deletions WHERE id = $1', [deletionId]);
    expect(row).toEqual({ status: 'COMPLETED', failure_reason: null });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  },
  STALL_GUARDED_TIMEOUT_MS,
);
