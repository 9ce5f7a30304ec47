import { Client } from 'pg';
import { ArchivedObjectsDocument, ArchiveObjectsDocument, RestoreObjectsDocument } from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { createObject, snapshot, upload } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;
let other: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 1, 2);
  other = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server.close());

const db = () => server.database.db;

describe('archiveObjects / restoreObjects', () => {
  it('archives and restores for the creator; repeating either is a no-op', async () => {
    const [member] = ws.members;
    const ref = await createObject(server.url, member, 'CONTACT');
    const archived = await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, member.token);
    expect(archived.archiveObjects[0]).toMatchObject({ id: ref.id, archivedBy: { id: member.id } });
    const at = archived.archiveObjects[0].archivedAt;
    const again = await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref, ref] }, ws.admins[0].token);
    expect(again.archiveObjects).toHaveLength(1);
    expect(again.archiveObjects[0]).toMatchObject({ archivedAt: at, archivedBy: { id: member.id } });
    const restored = await mustRequest(server.url, RestoreObjectsDocument, { refs: [ref] }, member.token);
    expect(restored.restoreObjects[0]).toMatchObject({ archivedAt: null, archivedBy: null, deletionState: 'NONE' });
    const noop = await mustRequest(server.url, RestoreObjectsDocument, { refs: [ref] }, member.token);
    expect(noop.restoreObjects[0].archivedAt).toBeNull();
  });

  it('lets an admin archive and restore anyone’s object', async () => {
    const ref = await createObject(server.url, ws.members[0], 'DEAL');
    const archived = await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, ws.admins[0].token);
    expect(archived.archiveObjects[0].archivedBy?.id).toBe(ws.admins[0].id);
    const restored = await mustRequest(server.url, RestoreObjectsDocument, { refs: [ref] }, ws.admins[0].token);
    expect(restored.restoreObjects[0].archivedAt).toBeNull();
  });

  it('refuses a whole batch when a member names someone else’s object (FORBIDDEN, nothing changes)', async () => {
    const [a, b] = ws.members;
    const own = await createObject(server.url, a, 'TASK');
    const theirs = await createObject(server.url, b, 'EMAIL');
    for (const [i, document] of (
      [ArchiveObjectsDocument, RestoreObjectsDocument] as (typeof ArchiveObjectsDocument)[]
    ).entries()) {
      if (i === 1) {
        await mustRequest(server.url, ArchiveObjectsDocument, { refs: [own, theirs] }, ws.admins[0].token);
      }
      const before = await snapshot(db());
      const refused = await request(server.url, document, { refs: [own, theirs] }, a.token);
      expect(errorCode(refused)).toBe('FORBIDDEN');
      expect(refused.errors?.[0].extensions?.refs).toEqual([{ type: 'EMAIL', id: theirs.id, reason: 'FORBIDDEN' }]);
      expect(await snapshot(db())).toBe(before);
    }
  });

  it('answers NOT_FOUND for another workspace’s, missing or malformed ids, and changes nothing', async () => {
    const mine = await createObject(server.url, ws.admins[0], 'CALL');
    const foreign = await createObject(server.url, other.admins[0], 'CALL');
    const bad = [
      foreign,
      { type: 'CALL' as const, id: '00000000-0000-4000-8000-000000000000' },
      { type: 'CALL' as const, id: 'x' },
    ];
    for (const document of [ArchiveObjectsDocument, RestoreObjectsDocument] as (typeof ArchiveObjectsDocument)[]) {
      for (const ref of bad) {
        const before = await snapshot(db());
        const refused = await request(server.url, document, { refs: [mine, ref] }, ws.admins[0].token);
        expect(errorCode(refused)).toBe('NOT_FOUND');
        expect(refused.errors?.[0].extensions?.refs).toEqual([{ type: 'CALL', id: ref.id, reason: 'NOT_FOUND' }]);
        expect(await snapshot(db())).toBe(before);
      }
    }
    const anonymous = await request(server.url, ArchiveObjectsDocument, { refs: [mine] });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });

  it('refuses more than 1000 refs with BAD_USER_INPUT', async () => {
    const ref = await createObject(server.url, ws.admins[0], 'OBJECT');
    const before = await snapshot(db());
    const refused = await request(
      server.url,
      ArchiveObjectsDocument,
      { refs: Array(1001).fill(ref) },
      ws.admins[0].token,
    );
    expect(errorCode(refused)).toBe('BAD_USER_INPUT');
    expect(await snapshot(db())).toBe(before);
    const accepted = await mustRequest(
      server.url,
      ArchiveObjectsDocument,
      { refs: Array(1000).fill(ref) },
      ws.admins[0].token,
    );
    expect(accepted.archiveObjects).toHaveLength(1);
  });

  it('restores a marked or pending object: it leaves the selection and its deletion’s counts shrink', async () => {
    const [admin] = ws.admins;
    const pending = await createObject(server.url, admin, 'CONTACT');
    const stays = await createObject(server.url, admin, 'CONTACT');
    const marked = await createObject(server.url, admin, 'CONTACT');
    await upload(server.url, admin.token, pending, Buffer.alloc(300));
    await upload(server.url, admin.token, stays, Buffer.alloc(200));
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [pending, stays, marked] }, admin.token);
    // A deletion freezing the workspace's current generation, two marks of that generation in it and
    // one of the next in the selection.
    const deletion = await db().one<{ id: string; generation: string }>(
      `WITH g AS (UPDATE workspaces SET selection_generation = selection_generation + 1 WHERE id = $1
                  RETURNING selection_generation - 1 AS generation)
       INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after, generation)
       SELECT $1, 'PENDING', now(), $2, now() + interval '7 days', generation FROM g RETURNING id, generation::text`,
      [ws.id, admin.id],
    );
    await db().rows(
      `INSERT INTO deletion_type_volumes (deletion_id, object_type, count, bytes) VALUES ($1, 'CONTACT', 2, 500)`,
      [deletion!.id],
    );
    await db().rows(
      'UPDATE contacts SET marked_at = now(), marked_by = $2, mark_generation = $3 WHERE id = ANY($1::uuid[])',
      [[pending.id, stays.id], admin.id, deletion!.generation],
    );
    await db().rows('UPDATE contacts SET marked_at = now(), marked_by = $2, mark_generation = $3 + 1 WHERE id = $1', [
      marked.id,
      admin.id,
      deletion!.generation,
    ]);
    const restored = await mustRequest(server.url, RestoreObjectsDocument, { refs: [pending, marked] }, admin.token);
    expect(restored.restoreObjects.map((o) => o.deletionState)).toEqual(['NONE', 'NONE']);
    const volumes = await db().one(`SELECT count::int, bytes::int FROM deletion_type_volumes WHERE deletion_id = $1`, [
      deletion!.id,
    ]);
    expect(volumes).toEqual({ count: 1, bytes: 200 });
    const rows = await db().rows(
      'SELECT id, archived_at IS NULL AS active, marked_at IS NULL AS unmarked FROM contacts WHERE id = ANY($1::uuid[]) ORDER BY id',
      [[pending.id, marked.id]],
    );
    expect(rows).toEqual(expect.arrayContaining([expect.objectContaining({ active: true, unmarked: true })]));
    expect(await server.app.services.stats.recount()).toEqual([]);
  });
});

describe('restore racing the executor', () => {
  it('fails with NOT_FOUND and changes nothing when an object is removed while the batch waits for its lock', async () => {
    const [admin] = ws.admins;
    const kept = await createObject(server.url, admin, 'CONTACT');
    const removed = await createObject(server.url, admin, 'CONTACT');
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [kept, removed] }, admin.token);
    const executor = new Client({ connectionString: server.database.url });
    await executor.connect();
    try {
      await executor.query('BEGIN');
      await executor.query('DELETE FROM contacts WHERE id = $1', [removed.id]);
      const restoring = request(server.url, RestoreObjectsDocument, { refs: [kept, removed] }, admin.token);
      // Waits until the restore blocks on the deleted row's lock, then lets the removal commit.
      while (
        !(await db().one(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        ))
      ) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      await executor.query('COMMIT');
      const response = await restoring;
      expect(errorCode(response)).toBe('NOT_FOUND');
      expect(response.errors?.[0].extensions?.refs).toEqual([{ type: 'CONTACT', id: removed.id, reason: 'NOT_FOUND' }]);
      const row = await db().one('SELECT archived_at IS NOT NULL AS archived FROM contacts WHERE id = $1', [kept.id]);
      expect(row).toEqual({ archived: true });
    } finally {
      await executor.end();
    }
  });
});

describe('archivedObjects', () => {
  let viewers: TestWorkspace;
  beforeAll(async () => {
    viewers = await createWorkspace(db(), 1, 2);
    for (const [i, user] of [viewers.members[0], viewers.members[1], viewers.admins[0]].entries()) {
      for (let n = 0; n < 3 + i; n++) {
        const ref = await createObject(server.url, user, 'ACTIVITY', `act ${i}-${n}`);
        await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, user.token);
      }
    }
    await createObject(server.url, viewers.members[0], 'ACTIVITY', 'active one');
  });

  it('shows a member only what they created; an admin everything of the workspace', async () => {
    const [m0, m1] = viewers.members;
    const mine = await mustRequest(server.url, ArchivedObjectsDocument, { type: 'ACTIVITY' }, m0.token);
    expect(mine.archivedObjects.totalCount).toBe(3);
    expect(mine.archivedObjects.edges.every((e) => e.node.createdBy.id === m0.id)).toBe(true);
    const theirs = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', filter: { createdBy: m1.id } },
      m0.token,
    );
    expect(theirs.archivedObjects.totalCount).toBe(0);
    const all = await mustRequest(server.url, ArchivedObjectsDocument, { type: 'ACTIVITY' }, viewers.admins[0].token);
    expect(all.archivedObjects.totalCount).toBe(12);
    const byM1 = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', filter: { createdBy: m1.id } },
      viewers.admins[0].token,
    );
    expect(byM1.archivedObjects.totalCount).toBe(4);
    const titled = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', filter: { titleContains: 'ACT 2-' } },
      viewers.admins[0].token,
    );
    expect(titled.archivedObjects.totalCount).toBe(5);
    const future = new Date(Date.now() + 60_000).toISOString();
    const after = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', filter: { archivedAfter: future } },
      viewers.admins[0].token,
    );
    expect(after.archivedObjects.totalCount).toBe(0);
    const before = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', filter: { archivedBefore: future } },
      viewers.admins[0].token,
    );
    expect(before.archivedObjects.totalCount).toBe(12);
    const foreign = await mustRequest(server.url, ArchivedObjectsDocument, { type: 'ACTIVITY' }, other.admins[0].token);
    expect(foreign.archivedObjects.edges.some((e) => e.node.title.startsWith('act '))).toBe(false);
  });

  it('filters by who archived; a member still sees only what they created', async () => {
    const team = await createWorkspace(db(), 1, 2);
    const [admin, [m0, m1]] = [team.admins[0], team.members];
    const archive = async (creator: typeof m0, archiver: typeof m0, title: string) => {
      const ref = await createObject(server.url, creator, 'CALL', title);
      await mustRequest(server.url, ArchiveObjectsDocument, { refs: [ref] }, archiver.token);
    };
    await archive(m0, m0, 'own by m0');
    await archive(m0, admin, 'm0 by admin');
    await archive(m1, admin, 'm1 by admin');
    await archive(m1, m1, 'own by m1');
    const titles = async (viewer: typeof m0, archivedBy: string) => {
      const variables = { type: 'CALL' as const, filter: { archivedBy } };
      const page = await mustRequest(server.url, ArchivedObjectsDocument, variables, viewer.token);
      expect(page.archivedObjects.totalCount).toBe(page.archivedObjects.edges.length);
      return page.archivedObjects.edges.map((edge) => edge.node.title).sort();
    };
    expect(await titles(admin, admin.id)).toEqual(['m0 by admin', 'm1 by admin']);
    expect(await titles(admin, m1.id)).toEqual(['own by m1']);
    expect(await titles(m0, admin.id)).toEqual(['m0 by admin']);
    expect(await titles(m0, m1.id)).toEqual([]);
    expect(await titles(admin, 'not-a-uuid')).toEqual([]);
  });

  it('walks every archived object exactly once, newest first, by cursor', async () => {
    const seen: string[] = [];
    const archivedAt: string[] = [];
    let after: string | null | undefined;
    do {
      const page = await mustRequest(
        server.url,
        ArchivedObjectsDocument,
        { type: 'ACTIVITY', first: 5, after },
        viewers.admins[0].token,
      );
      seen.push(...page.archivedObjects.edges.map((e) => e.node.id));
      archivedAt.push(...page.archivedObjects.edges.map((e) => e.node.archivedAt!));
      after = page.archivedObjects.pageInfo.hasNextPage ? page.archivedObjects.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    expect([...archivedAt].sort().reverse()).toEqual(archivedAt);
  });

  it('refuses a page over 200 and a forged cursor with BAD_USER_INPUT', async () => {
    const big = await request(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', first: 201 },
      viewers.admins[0].token,
    );
    expect(errorCode(big)).toBe('BAD_USER_INPUT');
    const forged = Buffer.from(JSON.stringify(['1; DROP', 'x'])).toString('base64url');
    const bad = await request(
      server.url,
      ArchivedObjectsDocument,
      { type: 'ACTIVITY', after: forged },
      viewers.admins[0].token,
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });
});
