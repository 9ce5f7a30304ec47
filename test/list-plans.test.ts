import { Database } from '../src/database/database';
import { ObjectType } from '../src/database/object-tables';
import { ArchivedListService } from '../src/services/archived-list.service';
import { DeletionHistoryService } from '../src/services/deletion-history.service';
import { DeletionStatus } from '../src/services/deletion-status';
import { TimeIdKey } from '../src/services/keyset';
import { NotificationInboxService } from '../src/services/notification-inbox.service';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createTestDatabase, TestDatabase } from './support/test-database';

// Every list statement must walk its (…, time DESC, id DESC) index in order (DESIGN §4): a plan
// that sorts, or reads another index, would make a page cost grow with the data behind it.

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function nodesOf(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodesOf)];
}

let test: TestDatabase;
let db: Database;
let workspace: TestWorkspace;
const ROWS = 2000;

/** The page statement (the one with ORDER BY) each call of `read` ran. */
async function pageStatements(read: () => Promise<unknown>): Promise<{ text: string; params: unknown[] }[]> {
  const spy = jest.spyOn(db, 'rows');
  try {
    await read();
    return spy.mock.calls
      .filter(([text]) => text.includes('ORDER BY'))
      .map(([text, params]) => ({ text, params: params ?? [] }));
  } finally {
    spy.mockRestore();
  }
}

/** The nodes of the plan PostgreSQL picks when it may not read a whole table. */
async function planOf(statement: { text: string; params: unknown[] }): Promise<PlanNode[]> {
  return db.transaction(async (tx) => {
    await tx.rows('SET LOCAL enable_seqscan = off');
    const [row] = await tx.rows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(
      `EXPLAIN (FORMAT JSON) ${statement.text}`,
      statement.params,
    );
    return nodesOf(row['QUERY PLAN'][0].Plan);
  });
}

/**
 * Asserts the page statement of `read` reads `index` in its order, without a sort: the first index
 * the plan reads (subplans of the SELECT list, such as a deletion's pending files, come after it).
 */
async function expectKeysetPlan(read: () => Promise<unknown>, index: string): Promise<void> {
  const statements = await pageStatements(read);
  expect(statements).toHaveLength(1);
  const nodes = await planOf(statements[0]);
  expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
  expect(nodes.find((node) => node['Node Type'].startsWith('Index'))?.['Index Name']).toBe(index);
}

beforeAll(async () => {
  test = await createTestDatabase();
  db = test.db;
  workspace = await createWorkspace(db, 1, 1);
  const other = await createWorkspace(db, 1, 0);
  const admin = workspace.admins[0].id;
  for (const [ws, user] of [
    [workspace.id, admin],
    [other.id, other.admins[0].id],
  ]) {
    await db.rows(
      `INSERT INTO contacts (workspace_id, title, created_by, created_at, archived_at, archived_by)
       SELECT $1, 'c' || n, $2, now(), now() - n * interval '1 second', $2 FROM generate_series(1, $3) n`,
      [ws, user, ROWS],
    );
    await db.rows(
      `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after)
       SELECT $1, 'COMPLETED', now() - n * interval '1 minute', $2, now() FROM generate_series(1, $3) n`,
      [ws, user, ROWS],
    );
    await db.rows(
      `INSERT INTO notifications (workspace_id, user_id, kind, created_at)
       SELECT $1, $2, 'DELETION_COMPLETED', now() - n * interval '1 second' FROM generate_series(1, $3) n`,
      [ws, user, ROWS],
    );
  }
  await db.rows('ANALYZE');
});

afterAll(async () => {
  await test?.drop();
});

/** The key of the 50th row: a page that starts after it exercises the keyset condition. */
async function keyAfter(read: (after: TimeIdKey | null) => Promise<{ rows: { cursorKey: TimeIdKey }[] }>) {
  const first = await read(null);
  expect(first.rows.length).toBe(51);
  return first.rows[49].cursorKey;
}

describe('list statements use their index in order', () => {
  it('archived objects: (workspace, archived_at, id), or by creator for a member', async () => {
    const service = new ArchivedListService(db);
    const [admin, member] = [
      { ...workspace.admins[0], workspaceId: workspace.id, name: 'a' },
      { ...workspace.members[0], workspaceId: workspace.id, name: 'm' },
    ];
    const after = await keyAfter((key) => service.page(admin, ObjectType.CONTACT, 50, key, {}));
    await expectKeysetPlan(() => service.page(admin, ObjectType.CONTACT, 50, after, {}), 'contacts_archived');
    await expectKeysetPlan(
      () => service.page(admin, ObjectType.CONTACT, 50, after, { archivedBefore: new Date() }),
      'contacts_archived',
    );
    await expectKeysetPlan(
      () => service.page(member, ObjectType.CONTACT, 50, after, {}),
      'contacts_archived_by_creator',
    );
  });

  it('deletion history: (workspace, activated_at, id), also filtered by status', async () => {
    const service = new DeletionHistoryService(db);
    const after = await keyAfter((key) => service.page(workspace.id, 50, key, null));
    await expectKeysetPlan(() => service.page(workspace.id, 50, after, null), 'deletions_history');
    await expectKeysetPlan(
      () => service.page(workspace.id, 50, after, [DeletionStatus.COMPLETED]),
      'deletions_history',
    );
  });

  it('notifications: (user, created_at, id), also unread only', async () => {
    const service = new NotificationInboxService(db);
    const user = { ...workspace.admins[0], workspaceId: workspace.id, name: 'a' };
    const after = await keyAfter((key) => service.page(user, false, 50, key));
    await expectKeysetPlan(() => service.page(user, false, 50, after), 'notifications_inbox');
    await expectKeysetPlan(() => service.page(user, true, 50, after), 'notifications_inbox');
  });
});
