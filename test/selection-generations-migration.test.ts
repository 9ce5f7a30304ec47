import { migrate } from '../src/database/migrate';
import { StatsService } from '../src/domain/archive/stats.service';
import { batchDeletionIdSql } from '../src/domain/deletion/batch-membership';
import { batchVolumesMatchRecount } from '../src/domain/verify/batch-check';
import { createWorkspace } from './support/fixtures';
import { createTestDatabase, TestDatabase } from './support/test-database';

let test: TestDatabase;

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(() => test?.drop());

/*
 * Migration 1766000000000 converts existing data in O(workspaces): data written as before it (a
 * pending deletion's objects carrying its deletion_id, a selection beside it in another workspace)
 * keeps every object's state and every counter after it.
 */
it('keeps each object’s deletion state and the counters exact across the migration', async () => {
  const { db } = test;
  expect(
    (await db.dataSource.query('SELECT count(*)::int AS n FROM pg_class WHERE relname = $1', ['contacts_pending']))[0]
      .n,
  ).toBe(0);
  await db.dataSource.undoLastMigration({ transaction: 'each' });
  const pendingWs = await createWorkspace(db, 1, 0);
  const selectingWs = await createWorkspace(db, 1, 0);
  const pendingAdmin = pendingWs.admins[0].id;
  const [deletion] = await db.rows<{ id: string }>(
    `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after)
     VALUES ($1, 'PENDING', now(), $2, now() + interval '7 days') RETURNING id`,
    [pendingWs.id, pendingAdmin],
  );
  const insert = (ws: string, by: string, n: number, deletionId: string | null) =>
    db.rows<{ id: string }>(
      `INSERT INTO contacts (workspace_id, title, created_by, archived_at, archived_by, marked_at, marked_by,
         attachment_bytes, deletion_id)
       SELECT $1, 'c' || n, $2, now(), $2, now(), $2, 10, $4 FROM generate_series(1, $3) n RETURNING id`,
      [ws, by, n, deletionId],
    );
  const pending = await insert(pendingWs.id, pendingAdmin, 3, deletion.id);
  const selected = await insert(selectingWs.id, selectingWs.admins[0].id, 2, null);
  await db.rows(
    `INSERT INTO deletion_type_volumes (deletion_id, object_type, count, bytes) VALUES ($1, 'CONTACT', 3, 30)`,
    [deletion.id],
  );

  expect(await migrate(db.dataSource)).toEqual(['SelectionGenerations1766000000000']);
  const states = await db.rows<{ id: string; deletionId: string | null; marked: boolean }>(
    `SELECT id, ${batchDeletionIdSql('contacts')} AS "deletionId", marked_at IS NOT NULL AS marked FROM contacts`,
  );
  const byId = new Map(states.map((s) => [s.id, s]));
  for (const { id } of pending) expect(byId.get(id)).toEqual({ id, deletionId: deletion.id, marked: true });
  for (const { id } of selected) expect(byId.get(id)).toEqual({ id, deletionId: null, marked: true });
  const stats = new StatsService(db);
  expect(await stats.recount()).toEqual([]);
  // The batch check reads the database only.
  expect(await batchVolumesMatchRecount.run({ db, stats, files: undefined as never })).toEqual([]);
  const marked = await db.rows<{ ws: string; n: number }>(
    `SELECT workspace_id AS ws, marked_count::int AS n FROM type_stats WHERE object_type = 'CONTACT' AND workspace_id = ANY($1::uuid[])`,
    [[pendingWs.id, selectingWs.id]],
  );
  expect(new Map(marked.map((m) => [m.ws, m.n]))).toEqual(
    new Map([
      [pendingWs.id, 0],
      [selectingWs.id, 2],
    ]),
  );
});
