import os from 'node:os';
import { Database } from '../src/database/database';
import { ObjectType } from '../src/database/object-tables';
import { LocalFileStore } from '../src/domain/files/file-store';
import { ObjectListService } from '../src/domain/archive/object-list.service';
import { AttachmentService } from '../src/domain/files/attachment.service';
import { DeletionHistoryService } from '../src/domain/deletion/deletion-history.service';
import { DeletionState, DeletionStatus } from '../src/domain/deletion/deletion-status';
import { TimeIdKey } from '../src/database/keyset';
import { NotificationInboxService } from '../src/domain/notifications/notification-inbox.service';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { PlanNode, planWithoutSeqScans } from './support/plans';
import { createTestDatabase, TestDatabase } from './support/test-database';

// Every list statement must walk its (…, time DESC, id DESC) index in order (docs/lists.md): a plan
// that sorts, or reads another index, would make a page cost grow with the data behind it.

/**
 * The plan's nodes, depth first, with each node's init plans after its other children: a page
 * that first looks a value up (the workspace's active deletion) still lists its walk first.
 */
function nodesOf(node: PlanNode): PlanNode[] {
  const children = node.Plans ?? [];
  const isInit = (child: PlanNode) => child['Parent Relationship'] === 'InitPlan';
  return [node, ...children.filter((c) => !isInit(c)).flatMap(nodesOf), ...children.filter(isInit).flatMap(nodesOf)];
}

let test: TestDatabase;
let db: Database;
let workspace: TestWorkspace;
const ROWS = 2000;

interface Statement {
  text: string;
  params: unknown[];
}

/** Every statement each call of `read` ran. */
async function statementsOf(read: () => Promise<unknown>): Promise<Statement[]> {
  const spy = jest.spyOn(db, 'rows');
  try {
    await read();
    return spy.mock.calls.map(([text, params]) => ({ text, params: params ?? [] }));
  } finally {
    spy.mockRestore();
  }
}

/** The page statement (the one with ORDER BY) each call of `read` ran. */
async function pageStatements(read: () => Promise<unknown>): Promise<Statement[]> {
  return (await statementsOf(read)).filter(({ text }) => text.includes('ORDER BY'));
}

/** The nodes of the plan PostgreSQL picks when it may not read a whole table. */
async function planOf(statement: Statement): Promise<PlanNode[]> {
  return nodesOf(await planWithoutSeqScans(db, statement.text, statement.params));
}

/**
 * Asserts the page statement of `read` reads `index` (or one of `index`) in its order, without a
 * sort: the first index the plan reads (subplans of the SELECT list, such as a deletion's pending
 * files, come after it).
 */
async function expectKeysetPlan(read: () => Promise<unknown>, index: string | readonly string[]): Promise<void> {
  const statements = await pageStatements(read);
  expect(statements).toHaveLength(1);
  const nodes = await planOf(statements[0]);
  expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
  const walked = nodes.find((node) => node['Node Type'].startsWith('Index'))?.['Index Name'];
  expect(typeof index === 'string' ? [index] : index).toContain(walked);
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
    // One attachment per contact, and as many on deals: the loader must not read the other type's.
    for (const table of ['contacts', 'deals']) {
      if (table === 'deals') {
        await db.rows(
          `INSERT INTO deals (workspace_id, title, created_by) SELECT $1, 'd' || n, $2 FROM generate_series(1, $3) n`,
          [ws, user, ROWS],
        );
      }
      await db.rows(
        `INSERT INTO attachments (workspace_id, object_type, object_id, file_name, mime_type, size_bytes, storage_key, created_by)
         SELECT $1, $3, id, 'f', 'text/plain', 1, gen_random_uuid()::text, $2 FROM ${table} WHERE workspace_id = $1`,
        [ws, user, table === 'contacts' ? 'CONTACT' : 'DEAL'],
      );
    }
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
    const service = new ObjectListService(db);
    const [admin, member] = [
      { ...workspace.admins[0], workspaceId: workspace.id, name: 'a' },
      { ...workspace.members[0], workspaceId: workspace.id, name: 'm' },
    ];
    const after = await keyAfter((key) => service.archived(admin, ObjectType.CONTACT, 50, key, {}));
    await expectKeysetPlan(() => service.archived(admin, ObjectType.CONTACT, 50, after, {}), 'contacts_archived');
    await expectKeysetPlan(
      () => service.archived(admin, ObjectType.CONTACT, 50, after, { archivedBefore: new Date() }),
      'contacts_archived',
    );
    await expectKeysetPlan(
      () => service.archived(member, ObjectType.CONTACT, 50, after, {}),
      'contacts_archived_by_creator',
    );
    await expectKeysetPlan(
      () => service.archived(admin, ObjectType.CONTACT, 50, after, { archivedBy: admin.id }),
      'contacts_archived_by_archiver',
    );
  });

  it('deletion history: (workspace, activated_at, id), also filtered by status', async () => {
    const service = new DeletionHistoryService(db);
    const admin = { ...workspace.admins[0], workspaceId: workspace.id, name: 'a' };
    const after = await keyAfter((key) => service.page(admin, 50, key, null));
    await expectKeysetPlan(() => service.page(admin, 50, after, null), 'deletions_history');
    await expectKeysetPlan(() => service.page(admin, 50, after, [DeletionStatus.COMPLETED]), 'deletions_history');
  });

  it('notifications: (user, created_at, id), also unread only', async () => {
    const service = new NotificationInboxService(db);
    const user = { ...workspace.admins[0], workspaceId: workspace.id, name: 'a' };
    const after = await keyAfter((key) => service.page(user, false, 50, key));
    await expectKeysetPlan(() => service.page(user, false, 50, after), 'notifications_inbox');
    await expectKeysetPlan(() => service.page(user, true, 50, after), 'notifications_inbox');
  });
});

describe('what a page loads beside its rows uses an index', () => {
  const admin = () => ({ ...workspace.admins[0], workspaceId: workspace.id, name: 'a' });
  const member = () => ({ ...workspace.members[0], workspaceId: workspace.id, name: 'm' });

  it("attachments of a page's objects: by (object_type, object_id), never a scan of every workspace's", async () => {
    const service = new AttachmentService(db, new LocalFileStore(os.tmpdir()), 0);
    const page = await new ObjectListService(db).archived(admin(), ObjectType.CONTACT, 50, null, {});
    const keys = page.rows.map((row) => `CONTACT:${row.id}`);
    const [statement] = await statementsOf(async () => {
      const loaded = await service.byObjects(keys);
      expect(loaded.every((attachments) => attachments.length === 1)).toBe(true);
    });
    const nodes = await planOf(statement);
    expect(nodes.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    // A condition on object_id alone still shows as an Index Cond, but walks the whole index: the
    // leading column must be in it too, so the scan enters the index at each (type, id).
    const read = nodes.find((node) => node['Index Name']);
    expect(read?.['Index Name']).toBe('attachments_object');
    expect(read?.['Index Cond']).toMatch(/object_type.*object_id/);
  });

  it("a page's archivers, creators and attachments, read in its statement: by users_pkey and attachments_object", async () => {
    const service = new ObjectListService(db);
    const related = { createdBy: ['name'], archivedBy: ['name'], attachments: ['fileName', 'createdAt'] };
    const statements = await statementsOf(async () => {
      const page = await service.archived(admin(), ObjectType.CONTACT, 50, null, {}, related);
      expect(page.rows.every((row) => row.related?.attachments?.length === 1 && row.related.archivedBy)).toBe(true);
    });
    expect(statements).toHaveLength(1);
    // Only the columns asked for: no e-mail address, role, MIME type or storage key.
    expect(statements[0].text).not.toMatch(/u\.email|u\.role|a\.mime_type|storage_key/);
    const nodes = await planOf(statements[0]);
    expect(nodes.map((node) => node['Node Type'])).not.toContain('Seq Scan');
    // No sort of the page; an object's attachments in order (json_agg … ORDER BY) may sort its few rows:
    // PostgreSQL 16 and later plan that as a Sort under the Aggregate, 15 inside the Aggregate itself.
    const sortedAggregates = nodes
      .filter((node) => node['Node Type'] === 'Aggregate')
      .flatMap((node) => node.Plans ?? []);
    const sorts = nodes.filter((node) => node['Node Type'] === 'Sort' && !sortedAggregates.includes(node));
    expect(sorts).toEqual([]);
    const indexes = nodes.flatMap((node) => (node['Index Name'] ? [node['Index Name']] : []));
    // The page's walk, its archivers and creators by primary key, its attachments; the viewer's row
    // (the rights check) by primary key or (workspace, role), as the planner likes.
    expect(indexes).toEqual(expect.arrayContaining(['contacts_archived', 'users_pkey', 'attachments_object']));
    // The workspace's active deletion (for each row's deletionState) by either partial index over active deletions:
    // on this test's few rows the planner may take deletions_due; with many workspaces, the unique deletions_one_active.
    const allowed = [
      'contacts_archived',
      'users_pkey',
      'attachments_object',
      'users_workspace_role',
      'deletions_one_active',
      'deletions_due',
    ];
    expect(indexes.filter((index) => !allowed.includes(index))).toEqual([]);
    const attachments = nodes.find((node) => node['Index Name'] === 'attachments_object');
    expect(attachments?.['Index Cond']).toMatch(/object_type.*object_id/);
  });

  it("totalCount runs nothing until asked; an admin's unfiltered total is a counter read by primary key", async () => {
    const service = new ObjectListService(db);
    let page: Awaited<ReturnType<ObjectListService['archived']>> | undefined;
    const pageOnly = await statementsOf(async () => {
      page = await service.archived(admin(), ObjectType.CONTACT, 50, null, {});
    });
    expect(pageOnly).toHaveLength(1);
    const [counter] = await statementsOf(async () => expect(await page!.totalCount()).toBe(ROWS));
    expect(counter.text).not.toMatch(/count\(/);
    const nodes = await planOf(counter);
    expect(nodes.map((node) => node['Node Type'])).toEqual(['Index Scan']);
    expect(nodes[0]['Index Name']).toBe('type_stats_pkey');
    expect(await statementsOf(() => page!.totalCount())).toHaveLength(0);
  });

  it("a filtered or a member's total still counts its rows, over the list's index", async () => {
    const service = new ObjectListService(db);
    for (const [user, filter, index] of [
      [admin(), { archivedBefore: new Date() }, 'contacts_archived'],
      [member(), {}, 'contacts_archived_by_creator'],
    ] as const) {
      const page = await service.archived(user, ObjectType.CONTACT, 50, null, filter);
      const [count] = await statementsOf(() => page.totalCount());
      expect(count.text).toMatch(/count\(\*\)/);
      const nodes = await planOf(count);
      expect(nodes.find((node) => node['Index Name'])?.['Index Name']).toBe(index);
    }
  });
});

describe('review lists use their index in order', () => {
  const admin = () => ({ ...workspace.admins[0], workspaceId: workspace.id, name: 'a' });
  const member = () => ({ ...workspace.members[0], workspaceId: workspace.id, name: 'm' });

  it('the selection, the pending deletion and Deletion.objects: by marked objects', async () => {
    const marking = await createWorkspace(db, 1, 1);
    const user = { ...marking.admins[0], workspaceId: marking.id, name: 'a' };
    await db.rows(
      `INSERT INTO contacts (workspace_id, title, created_by, archived_at, archived_by, marked_at, marked_by)
       SELECT $1, 'm' || n, $2, now() - n * interval '1 second', $2, now(), $2 FROM generate_series(1, $3) n`,
      [marking.id, user.id, ROWS],
    );
    await db.rows('ANALYZE contacts');
    const service = new ObjectListService(db);
    const selection = (key: TimeIdKey | null) =>
      service.archived(user, ObjectType.CONTACT, 50, key, { deletionState: [DeletionState.MARKED] });
    const after = await keyAfter(selection);
    await expectKeysetPlan(() => selection(after), 'contacts_marked');
    // A member's, or a createdBy filter: only that creator's marked objects, whatever others marked.
    const creator = { ...marking.members[0], workspaceId: marking.id, name: 'm' };
    await expectKeysetPlan(
      () => service.archived(creator, ObjectType.CONTACT, 50, after, { deletionState: [DeletionState.MARKED] }),
      'contacts_marked_by_creator',
    );
    // Activation freezes the whole selection into the deletion.
    const [{ id }] = await db.rows<{ id: string }>(
      `WITH g AS (UPDATE workspaces SET selection_generation = selection_generation + 1 WHERE id = $1
                  RETURNING selection_generation - 1 AS generation)
       INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after, generation)
       SELECT $1, 'PENDING', now(), $2, now(), generation FROM g RETURNING id`,
      [marking.id, user.id],
    );
    await db.rows('ANALYZE contacts');
    for (const [states, index] of [
      // The marked objects are exactly the pending ones here (the workspace has no selection while a
      // deletion is active), in list order.
      [[DeletionState.PENDING], 'contacts_marked'],
      [[DeletionState.MARKED, DeletionState.PENDING], 'contacts_marked'],
    ] as const) {
      await expectKeysetPlan(
        () => service.archived(user, ObjectType.CONTACT, 50, after, { deletionState: states }),
        index,
      );
    }
    const deletion = { id, status: DeletionStatus.PENDING };
    await expectKeysetPlan(() => service.inDeletion(user, deletion, ObjectType.CONTACT, 50, after), 'contacts_marked');
  });

  it('active objects: (workspace, created_at, id), or by creator for a createdBy filter', async () => {
    const service = new ObjectListService(db);
    const after = await keyAfter((key) => service.active(admin(), ObjectType.DEAL, 50, key, {}));
    await expectKeysetPlan(() => service.active(admin(), ObjectType.DEAL, 50, after, {}), 'deals_active');
    await expectKeysetPlan(
      () => service.active(admin(), ObjectType.DEAL, 50, after, { createdBefore: new Date(), titleContains: 'd' }),
      'deals_active',
    );
    await expectKeysetPlan(
      () => service.active(admin(), ObjectType.DEAL, 50, after, { createdBy: admin().id }),
      'deals_active_by_creator',
    );
    // Members see every active object, as admins do.
    await expectKeysetPlan(() => service.active(member(), ObjectType.DEAL, 50, after, {}), 'deals_active');
  });
});
