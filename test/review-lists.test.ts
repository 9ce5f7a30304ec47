import {
  ActivateDeletionDocument,
  ArchivedObjectsDocument,
  ArchiveObjectsDocument,
  CancelDeletionDocument,
  DeletionObjectsDocument,
  DeletionState,
  MarkForDeletionDocument,
  ObjectDocument,
  ObjectFilter,
  ObjectsDocument,
  ObjectType,
  RestoreObjectsDocument,
} from '../operations/generated';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, deletionSnapshot, Ref } from './support/deletion';
import { createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
});
afterAll(() => server.close());

const db = () => server.database.db;
const newWorkspace = (admins = 1, members = 2): Promise<TestWorkspace> =>
  createWorkspace(server.database.db, admins, members);
const ids = (refs: readonly { id: string }[]) => refs.map((ref) => ref.id).sort();

/** Every page of a list, `first` at a time: the ids in list order, and each page's totalCount. */
async function allPages(
  read: (after: string | null) => Promise<{
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor?: string | null };
    edges: { node: { id: string } }[];
  }>,
): Promise<{ ids: string[]; totals: number[] }> {
  const seen: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await read(after);
    seen.push(...page.edges.map((edge) => edge.node.id));
    totals.push(page.totalCount);
    if (!page.pageInfo.hasNextPage) return { ids: seen, totals };
    after = page.pageInfo.endCursor!;
  }
}

async function archivedIds(user: TestUser, type: ObjectType, deletionState?: DeletionState[], first = 2) {
  return allPages(
    async (after) =>
      (
        await mustRequest(
          server.url,
          ArchivedObjectsDocument,
          { type, first, after, filter: { deletionState } },
          user.token,
        )
      ).archivedObjects,
  );
}

async function activeIds(user: TestUser, type: ObjectType, filter?: ObjectFilter, first = 2) {
  return allPages(
    async (after) =>
      (await mustRequest(server.url, ObjectsDocument, { type, first, after, filter }, user.token)).objects,
  );
}

async function deletionObjectIds(admin: TestUser, id: string, type: ObjectType, first = 2) {
  return allPages(async (after) => {
    const data = await mustRequest(server.url, DeletionObjectsDocument, { id, type, first, after }, admin.token);
    return data.deletion!.objects;
  });
}

describe('archivedObjects(filter: { deletionState })', () => {
  it('lists exactly the selection, the pending deletion, the rest, or any combination, page by page', async () => {
    const ws = await newWorkspace();
    const [admin] = ws.admins;
    const marked = await archivedObjects(server.url, admin, 'DEAL', 3);
    const rest = await archivedObjects(server.url, admin, 'DEAL', 2);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: marked }, admin.token);

    expect(await archivedIds(admin, 'DEAL', ['MARKED'])).toEqual({ ids: expect.any(Array), totals: [3, 3] });
    expect((await archivedIds(admin, 'DEAL', ['MARKED'])).ids.sort()).toEqual(ids(marked));
    expect((await archivedIds(admin, 'DEAL', ['NONE'])).ids.sort()).toEqual(ids(rest));
    expect((await archivedIds(admin, 'DEAL', ['PENDING'])).ids).toEqual([]);
    expect((await archivedIds(admin, 'DEAL', ['NONE', 'MARKED'])).ids.sort()).toEqual(ids([...marked, ...rest]));
    expect((await archivedIds(admin, 'DEAL', [])).ids.sort()).toEqual(ids([...marked, ...rest]));

    await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token);
    const pending = await archivedIds(admin, 'DEAL', ['PENDING']);
    expect(pending.ids.sort()).toEqual(ids(marked));
    expect(pending.totals).toEqual([3, 3]);
    expect((await archivedIds(admin, 'DEAL', ['MARKED'])).ids).toEqual([]);
    expect((await archivedIds(admin, 'DEAL', ['MARKED', 'PENDING'])).ids.sort()).toEqual(ids(marked));
    expect((await archivedIds(admin, 'DEAL', ['PENDING', 'NONE'])).ids.sort()).toEqual(ids([...marked, ...rest]));
    // Newest archived first, without duplicates or gaps across pages of one.
    const one = await archivedIds(admin, 'DEAL', ['PENDING', 'NONE'], 1);
    expect(new Set(one.ids).size).toBe(5);
  });

  it('combines with the other filters and the member rule', async () => {
    const ws = await newWorkspace();
    const [admin] = ws.admins;
    const [member, otherMember] = ws.members;
    const mine = await archivedObjects(server.url, member, 'TASK', 2, { status: 'REMOVED' });
    const theirs = await archivedObjects(server.url, otherMember, 'TASK', 1, { status: 'REMOVED' });
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [mine[0], ...theirs] }, admin.token);

    expect((await archivedIds(member, 'TASK', ['MARKED'])).ids).toEqual([mine[0].id]);
    expect((await archivedIds(member, 'TASK', ['NONE'])).ids).toEqual([mine[1].id]);
    expect((await archivedIds(admin, 'TASK', ['MARKED'])).ids.sort()).toEqual(ids([mine[0], ...theirs]));
    const byCreator = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'TASK', filter: { deletionState: ['MARKED'], createdBy: otherMember.id } },
      admin.token,
    );
    expect(byCreator.archivedObjects.edges.map((edge) => edge.node.id)).toEqual([theirs[0].id]);
    expect(byCreator.archivedObjects.totalCount).toBe(1);
    const byTitle = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      {
        type: 'TASK',
        filter: { deletionState: ['MARKED'], titleContains: 'task 1', archivedBefore: new Date().toISOString() },
      },
      admin.token,
    );
    expect(byTitle.archivedObjects.edges).toEqual([]);
    const later = await mustRequest(
      server.url,
      ArchivedObjectsDocument,
      { type: 'TASK', filter: { deletionState: ['NONE'], archivedAfter: new Date(Date.now() + 60_000).toISOString() } },
      admin.token,
    );
    expect(later.archivedObjects.totalCount).toBe(0);
  });
});

describe('objects (active objects)', () => {
  it('pages through every active object once, newest created first; archived ones are not listed', async () => {
    const ws = await newWorkspace();
    const [admin] = ws.admins;
    const created: Ref[] = [];
    for (let i = 0; i < 7; i++) created.push(await createObject(server.url, admin, 'CONTACT', `contact ${i}`));
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [created[3]] }, admin.token);
    const active = created.filter((_, i) => i !== 3);

    const listed = await activeIds(admin, 'CONTACT', undefined, 2);
    expect(listed.ids).toEqual(active.map((ref) => ref.id).reverse());
    expect(listed.totals).toEqual([6, 6, 6]);
  });

  it('filters by creator, title and creation time; members see every active object of their workspace', async () => {
    const ws = await newWorkspace();
    const [admin] = ws.admins;
    const [member, otherMember] = ws.members;
    const a = await createObject(server.url, member, 'EMAIL', 'Quarterly REPORT');
    const cut = new Date().toISOString();
    const b = await createObject(server.url, otherMember, 'EMAIL', 'lunch');
    const c = await createObject(server.url, admin, 'EMAIL', 'report draft');

    expect((await activeIds(admin, 'EMAIL')).ids).toEqual([c.id, b.id, a.id]);
    expect((await activeIds(admin, 'EMAIL', { createdBy: otherMember.id })).ids).toEqual([b.id]);
    expect((await activeIds(admin, 'EMAIL', { createdBy: 'not-an-id' })).ids).toEqual([]);
    expect((await activeIds(admin, 'EMAIL', { titleContains: 'report' })).ids).toEqual([c.id, a.id]);
    expect((await activeIds(admin, 'EMAIL', { createdAfter: cut })).ids).toEqual([c.id, b.id]);
    expect((await activeIds(admin, 'EMAIL', { createdBefore: cut })).ids).toEqual([a.id]);
    // Rule 12 hides only archived objects from other members.
    expect(await activeIds(member, 'EMAIL', undefined, 3)).toEqual({ ids: [c.id, b.id, a.id], totals: [3] });
    expect((await activeIds(member, 'EMAIL', { createdBy: otherMember.id })).ids).toEqual([b.id]);
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [b] }, otherMember.token);
    expect((await activeIds(member, 'EMAIL')).ids).toEqual([c.id, a.id]);
    const other = await newWorkspace(1, 0);
    await createObject(server.url, other.admins[0], 'EMAIL', 'report');
    expect((await activeIds(other.admins[0], 'EMAIL')).ids).toHaveLength(1);
    expect((await activeIds(admin, 'EMAIL', { createdBy: other.admins[0].id })).ids).toEqual([]);
  });
});

describe('object(type, id)', () => {
  it('answers one object, archived or not, to whoever may see it; null otherwise, the same for every reason', async () => {
    const ws = await newWorkspace();
    const [admin] = ws.admins;
    const [member, otherMember] = ws.members;
    const own = await createObject(server.url, member, 'CALL', 'call me');
    const [archived] = await archivedObjects(server.url, member, 'CALL', 1);
    const foreign = await createObject(server.url, (await newWorkspace(1, 0)).admins[0], 'CALL');
    const read = async (user: TestUser, type: ObjectType, id: string) => {
      const response = await request(server.url, ObjectDocument, { type, id }, user.token);
      expect(response.errors).toBeUndefined();
      return response.data!.object;
    };

    expect(await read(member, 'CALL', own.id)).toMatchObject({ id: own.id, title: 'call me', archivedAt: null });
    expect(await read(member, 'CALL', archived.id)).toMatchObject({ id: archived.id, deletionState: 'NONE' });
    expect(await read(admin, 'CALL', own.id)).toMatchObject({ id: own.id, createdBy: { id: member.id } });
    expect(await read(admin, 'CALL', archived.id)).toMatchObject({ id: archived.id });
    // Another member sees an active object, not an archived one (rule 12).
    expect(await read(otherMember, 'CALL', own.id)).toMatchObject({ id: own.id });
    const nobody = [
      [otherMember, archived.id],
      [admin, foreign.id],
      [admin, '00000000-0000-4000-8000-000000000000'],
      [admin, 'not-a-uuid'],
    ] as const;
    for (const [user, id] of nobody) expect(await read(user, 'CALL', id)).toBeNull();
    // The id of another type names nothing either.
    expect(await read(admin, 'DEAL', own.id)).toBeNull();
    const anonymous = await request(server.url, ObjectDocument, { type: 'CALL', id: own.id });
    expect(errorCode(anonymous)).toBe('UNAUTHENTICATED');
  });
});

describe('Deletion.objects', () => {
  it('lists what a PENDING or EXECUTING deletion holds, page by page; nothing once it has ended', async () => {
    const ws = await newWorkspace(2, 1);
    const [admin, admin2] = ws.admins;
    const contacts = await archivedObjects(server.url, admin, 'CONTACT', 5);
    const deals = await archivedObjects(server.url, admin, 'DEAL', 1);
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [...contacts, ...deals] }, admin.token);
    const { id } = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;

    const pending = await deletionObjectIds(admin2, id, 'CONTACT');
    expect(pending.ids.sort()).toEqual(ids(contacts));
    expect(pending.totals).toEqual([5, 5, 5]);
    expect((await deletionObjectIds(admin2, id, 'DEAL')).ids).toEqual([deals[0].id]);
    expect((await deletionObjectIds(admin2, id, 'CALL')).ids).toEqual([]);

    // EXECUTING, as the executor's claim leaves it between chunks.
    await db().rows(`UPDATE deletions SET status = 'EXECUTING' WHERE id = $1`, [id]);
    expect((await deletionObjectIds(admin, id, 'CONTACT', 50)).ids.sort()).toEqual(ids(contacts));
    // A terminal status holds nothing, even if a row still pointed at it.
    await db().rows(`UPDATE deletions SET status = 'FAILED' WHERE id = $1`, [id]);
    expect(await deletionObjectIds(admin, id, 'CONTACT')).toEqual({ ids: [], totals: [0] });
    await db().rows(`UPDATE deletions SET status = 'PENDING' WHERE id = $1`, [id]);

    // A restored object leaves the deletion, and its list; a cancelled deletion holds nothing.
    await mustRequest(server.url, RestoreObjectsDocument, { refs: [contacts[0]] }, admin.token);
    const restored = await deletionObjectIds(admin, id, 'CONTACT', 50);
    expect(restored).toEqual({ ids: expect.any(Array), totals: [4] });
    expect(restored.ids.sort()).toEqual(ids(contacts.slice(1)));
    await mustRequest(server.url, CancelDeletionDocument, { id }, admin.token);
    expect(await deletionObjectIds(admin, id, 'CONTACT')).toEqual({ ids: [], totals: [0] });
  });

  it('is empty once COMPLETED: the history keeps no personal data', async () => {
    const ws = await newWorkspace(1, 0);
    const [admin] = ws.admins;
    const refs = await archivedObjects(server.url, admin, 'ACTIVITY', 2);
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
    const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    const executeAfter = new Date(activated.executeAfter as string).getTime();
    const outcomes = await server.app.scheduler.tick(new Date(executeAfter + 1_000));
    expect(outcomes).toContainEqual({ deletionId: activated.id, outcome: ExecutionOutcome.COMPLETED });
    const data = await mustRequest(
      server.url,
      DeletionObjectsDocument,
      { id: activated.id, type: 'ACTIVITY' },
      admin.token,
    );
    expect(data.deletion).toMatchObject({ status: 'COMPLETED', objects: { totalCount: 0, edges: [] } });
  });

  it('refuses members, bad pages and cursors, and another workspace’s deletion; nothing changes', async () => {
    const ws = await newWorkspace(1, 1);
    const [admin] = ws.admins;
    const [member] = ws.members;
    const refs = await archivedObjects(server.url, admin, 'CONTACT', 1);
    await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
    const { id } = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    const stranger = (await newWorkspace(1, 0)).admins[0];
    const before = (await snapshot(db())) + (await deletionSnapshot(db()));

    const asMember = await request(server.url, DeletionObjectsDocument, { id, type: 'CONTACT' }, member.token);
    expect(errorCode(asMember)).toBe('FORBIDDEN');
    const foreign = await mustRequest(server.url, DeletionObjectsDocument, { id, type: 'CONTACT' }, stranger.token);
    expect(foreign.deletion).toBeNull();
    for (const variables of [
      { id, type: 'CONTACT' as const, first: 0 },
      { id, type: 'CONTACT' as const, first: 201 },
      { id, type: 'CONTACT' as const, after: 'bm90IGEgY3Vyc29y' },
    ]) {
      expect(errorCode(await request(server.url, DeletionObjectsDocument, variables, admin.token))).toBe(
        'BAD_USER_INPUT',
      );
    }
    for (const variables of [
      { type: 'CONTACT' as const, first: 0 },
      { type: 'CONTACT' as const, after: 'x' },
    ]) {
      expect(errorCode(await request(server.url, ObjectsDocument, variables, member.token))).toBe('BAD_USER_INPUT');
      expect(errorCode(await request(server.url, ArchivedObjectsDocument, variables, member.token))).toBe(
        'BAD_USER_INPUT',
      );
    }
    expect(errorCode(await request(server.url, ObjectsDocument, { type: 'CONTACT' }))).toBe('UNAUTHENTICATED');
    expect((await snapshot(db())) + (await deletionSnapshot(db()))).toBe(before);
  });
});

describe('statements per request', () => {
  /** What one raw query returned, and how many SQL statements the server ran for it (auth included). */
  async function run(query: string, token: string): Promise<{ statements: number; data: unknown }> {
    const before = server.app.services.db.statementCount;
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as { data: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    return { statements: server.app.services.db.statementCount - before, data: body.data };
  }

  it('a page of active objects costs as many statements with 6 nodes as with 1', async () => {
    const ws = await newWorkspace(1, 1);
    for (const user of [ws.admins[0], ws.members[0], ws.admins[0]]) {
      for (let i = 0; i < 2; i++) await createObject(server.url, user, 'DEAL');
    }
    const page = (first: number) =>
      run(
        `{ objects(type: DEAL, first: ${first}) { edges { node { id createdBy { name } attachments { id } } } } }`,
        ws.admins[0].token,
      );
    // The page with its creators and attachments; the signed-in user comes from the cache (they
    // created the objects), and the page's statement checks their rights.
    expect((await page(1)).statements).toBe(1);
    expect((await page(6)).statements).toBe(1);
  });

  it("Deletion.objects in the history reads only the active deletion's objects: ended ones cost nothing", async () => {
    const ws = await newWorkspace(1, 0);
    const [admin] = ws.admins;
    for (let i = 0; i < 3; i++) {
      const refs = await archivedObjects(server.url, admin, 'CONTACT', 1);
      await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
      const { id } = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
      if (i < 2) await mustRequest(server.url, CancelDeletionDocument, { id }, admin.token);
    }
    const history = (objects: string) =>
      run(`{ deletions(first: 10) { edges { node { status ${objects} } } } }`, admin.token);
    const without = await history('');
    const withObjects = await history('objects(type: CONTACT) { edges { node { id } } }');
    expect(withObjects.statements).toBe(without.statements + 1);
    const edges = (
      withObjects.data as { deletions: { edges: { node: { status: string; objects: { edges: unknown[] } } }[] } }
    ).deletions.edges;
    expect(edges.map(({ node }) => [node.status, node.objects.edges.length])).toEqual([
      ['PENDING', 3],
      ['CANCELLED', 0],
      ['CANCELLED', 0],
    ]);
  });
});
