import { Database } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { chunkStatement, ChunkScope } from '../src/scheduler/deletion-chunk';
import { createWorkspace } from './support/fixtures';
import { PlanNode, planWithoutSeqScans } from './support/plans';
import { createTestDatabase, TestDatabase } from './support/test-database';

// The executor's chunk statement (src/scheduler/deletion-chunk.ts) reads every table through an
// index: the pick walks `<table>_marked`, the delete finds its rows by primary key, attachments come
// by (object_type, object_id). A sequential scan anywhere would make each chunk of a 1M purge read
// the whole table (BENCHMARKS.md shows the plan at 1M; this keeps it from drifting).

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];

let test: TestDatabase;
let db: Database;
let scope: ChunkScope;
const ROWS = 2000;

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  const workspace = await createWorkspace(db, 1, 0);
  const other = await createWorkspace(db, 1, 0);
  for (const ws of [workspace, other]) {
    const user = ws.admins[0].id;
    for (const { table, type } of OBJECT_TABLES) {
      // Archived objects, half of them marked (in the deletion's generation, 0), each with an attachment.
      await db.rows(
        `INSERT INTO ${table} (workspace_id, title, created_by, archived_at, archived_by, marked_at, marked_by${table === 'tasks' ? ', status' : ''})
         SELECT $1, 'o' || n, $2, now() - n * interval '1 second', $2,
           CASE WHEN n % 2 = 0 THEN now() END, CASE WHEN n % 2 = 0 THEN $2::uuid END${table === 'tasks' ? `, 'VERIFIED'` : ''}
         FROM generate_series(1, $3) n`,
        [ws.id, user, ROWS],
      );
      await db.rows(
        `INSERT INTO attachments (workspace_id, object_type, object_id, file_name, mime_type, size_bytes, storage_key, created_by)
         SELECT $1, $3, id, 'f', 'text/plain', 1, gen_random_uuid()::text, $2 FROM ${table} WHERE workspace_id = $1`,
        [ws.id, user, type],
      );
    }
  }
  const [deletion] = await db.rows<{ id: string }>(
    `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after, locked_by, locked_until)
     VALUES ($1, 'EXECUTING', now(), $2, now(), 'plan-test', now() + interval '1 minute') RETURNING id`,
    [workspace.id, workspace.admins[0].id],
  );
  await db.rows('ANALYZE');
  scope = {
    deletionId: deletion.id,
    workspaceId: workspace.id,
    limit: 500,
    record: true,
    skipLocked: false,
    instanceId: 'plan-test',
    leaseMs: 60_000,
    lockWaitMs: 1000,
    forget: ['1', '2'],
    progressPayload: '{}',
  };
});

afterAll(async () => {
  await test?.drop();
});

/** The nodes of the plan PostgreSQL picks for `scope`'s chunk of `table` when it may not read a whole table. */
async function chunkPlan(chunk: ChunkScope, table: (typeof OBJECT_TABLES)[number]): Promise<PlanNode[]> {
  const { text, params } = chunkStatement(chunk, table);
  return nodesOf(await planWithoutSeqScans(db, text, params));
}

describe.each(OBJECT_TABLES)('the chunk statement of $table', (table) => {
  it.each([
    ['waiting for locks, recording what it removes', { skipLocked: false, record: true }],
    ['skipping locked rows, recording nothing', { skipLocked: true, record: false }],
  ])('reads every table by an index, %s', async (_, variant) => {
    const nodes = await chunkPlan({ ...scope, ...variant }, table);
    expect(nodes.filter((node) => node['Node Type'] === 'Seq Scan').map((node) => node['Relation Name'])).toEqual([]);
    const indexes = new Set(nodes.map((node) => node['Index Name']).filter(Boolean));
    expect([...indexes].sort()).toEqual(
      expect.arrayContaining([`${table.table}_marked`, 'attachments_object', 'deletions_pkey']),
    );
    const allowed = [
      `${table.table}_marked`,
      `${table.table}_pkey`,
      'attachments_object',
      'deletions_pkey',
      'deletions_due',
      'deletion_type_volumes_pkey',
      'file_tombstones_pkey',
    ];
    expect([...indexes].filter((index) => !allowed.includes(index!))).toEqual([]);
  });
});
