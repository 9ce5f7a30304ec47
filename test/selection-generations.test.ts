import {
  ActivateDeletionDocument,
  ArchivedObjectsDocument,
  CancelDeletionDocument,
  DeletionObjectsDocument,
  DeletionOverviewDocument,
  MarkForDeletionDocument,
  PlaceLegalHoldDocument,
  RestoreObjectsDocument,
} from '../operations/generated';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, Ref, verifyProblems } from './support/deletion';
import { changeUnheard, createWorkspace, TestUser, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

/*
 * Activation and cancel write no object row (docs/deletion-lifecycle.md, "Generations"): a mark
 * carries the workspace's selection generation, a deletion the generation it froze. These cases
 * hold the DESIGN §2 rules to that: membership, the executor's re-check, and exact counters.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  expect(await verifyProblems(server.app.services)).toEqual([]);
  await server.close();
});

const db = () => server.database.db;

async function overview(admin: TestUser) {
  return (await mustRequest(server.url, DeletionOverviewDocument, {}, admin.token)).deletionOverview;
}

async function markedContacts(admin: TestUser) {
  return (await overview(admin)).types.find((t) => t.type === 'CONTACT')!.marked;
}

/** The ids of the contacts in `state`, as the archive list shows them. */
async function contactsIn(admin: TestUser, state: 'MARKED' | 'PENDING'): Promise<string[]> {
  const filter = { deletionState: [state] };
  const data = await mustRequest(
    server.url,
    ArchivedObjectsDocument,
    { type: 'CONTACT', first: 50, filter },
    admin.token,
  );
  return data.archivedObjects.edges.map((e) => e.node.id).sort();
}

/** The ids of the contacts Deletion.objects lists. */
async function objectsOf(admin: TestUser, id: string): Promise<string[]> {
  const data = await mustRequest(server.url, DeletionObjectsDocument, { id, type: 'CONTACT', first: 50 }, admin.token);
  return data.deletion!.objects.edges.map((e) => e.node.id).sort();
}

/** Each object row's version (xmin): unchanged means no statement wrote the row. */
async function rowVersions(refs: readonly Ref[]): Promise<string[]> {
  const rows = await db().rows<{ v: string }>(
    'SELECT xmin::text AS v FROM contacts WHERE id = ANY($1::uuid[]) ORDER BY id',
    [refs.map((r) => r.id)],
  );
  return rows.map((r) => r.v);
}

const ids = (refs: readonly Ref[]) => refs.map((r) => r.id).sort();

async function marked(ws: TestWorkspace, n: number, bytes?: number): Promise<Ref[]> {
  const refs = await archivedObjects(server.url, ws.admins[0], 'CONTACT', n, { bytes });
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
  return refs;
}

async function activate(admin: TestUser) {
  return (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
}

describe('selection generations', () => {
  it('answers the selection list while a deletion is pending from its counter: empty, with no walk of the batch', async () => {
    const ws = await createWorkspace(db(), 2, 0);
    const [admin] = ws.admins;
    const refs = await marked(ws, 3);
    const deletion = await activate(admin);
    // Every statement the server runs meanwhile; a walk of the selection filters on the generation it froze.
    const rows = jest.spyOn(server.app.services.db, 'rows');
    try {
      expect(await contactsIn(admin, 'MARKED')).toEqual([]);
      const walks = rows.mock.calls.map(([sql]) => sql).filter((sql) => /mark_generation >/.test(sql));
      expect(walks).toEqual([]);
    } finally {
      rows.mockRestore();
    }
    // The page's statement still checks the viewer: an admin deactivated a moment ago (the NOTIFY not
    // heard yet) is refused, not shown an empty selection.
    const [, deactivated] = ws.admins;
    expect(await contactsIn(deactivated, 'MARKED')).toEqual([]); // now in the server's user cache
    await changeUnheard(db(), deactivated, 'active = false');
    expect(
      errorCode(
        await request(
          server.url,
          ArchivedObjectsDocument,
          { type: 'CONTACT', first: 50, filter: { deletionState: ['MARKED'] } },
          deactivated.token,
        ),
      ),
    ).toBe('UNAUTHENTICATED');
    // Once it is cancelled the marks are the selection again, and the list walks and shows them.
    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token);
    expect(await contactsIn(admin, 'MARKED')).toEqual(ids(refs));
  });

  it('activation and cancel write no object row; the counters move exactly, and cancel returns every mark', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const refs = await marked(ws, 3, 120);
    const versions = await rowVersions(refs);
    expect(await markedContacts(admin)).toEqual({ count: 3, bytes: 120 });

    const deletion = await activate(admin);
    expect(deletion.total).toEqual({ count: 3, bytes: 120 });
    expect(await markedContacts(admin)).toEqual({ count: 0, bytes: 0 });
    expect(await contactsIn(admin, 'PENDING')).toEqual(ids(refs));
    expect(await contactsIn(admin, 'MARKED')).toEqual([]);
    expect(await objectsOf(admin, deletion.id)).toEqual(ids(refs));
    expect(await verifyProblems(server.app.services)).toEqual([]);

    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token);
    expect(await rowVersions(refs)).toEqual(versions);
    expect(await markedContacts(admin)).toEqual({ count: 3, bytes: 120 });
    expect(await contactsIn(admin, 'MARKED')).toEqual(ids(refs));
    expect(await contactsIn(admin, 'PENDING')).toEqual([]);
    // A cancelled deletion holds nothing any more, though its generation's marks are still there.
    expect(await objectsOf(admin, deletion.id)).toEqual([]);
    expect(await verifyProblems(server.app.services)).toEqual([]);

    // The returned marks and new ones go into the next deletion together.
    const more = await marked(ws, 1);
    const next = await activate(admin);
    expect(next.total).toEqual({ count: 4, bytes: 120 });
    expect(await objectsOf(admin, next.id)).toEqual(ids([...refs, ...more]));
    await mustRequest(server.url, CancelDeletionDocument, { id: next.id }, admin.token);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('restore and hold during pending take the object out; a cancel then returns only what is left', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const [restored, held, kept] = await marked(ws, 3, 40);
    const deletion = await activate(admin);
    expect(deletion.total).toEqual({ count: 3, bytes: 40 });

    const back = await mustRequest(server.url, RestoreObjectsDocument, { refs: [restored] }, admin.token);
    expect(back.restoreObjects[0].deletionState).toBe('NONE');
    await mustRequest(server.url, PlaceLegalHoldDocument, { reason: 'audit', refs: [held] }, admin.token);
    expect((await overview(admin)).pending!.total).toEqual({ count: 1, bytes: 0 });
    expect(await objectsOf(admin, deletion.id)).toEqual([kept.id]);
    expect(await verifyProblems(server.app.services)).toEqual([]);

    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, admin.token);
    expect(await markedContacts(admin)).toEqual({ count: 1, bytes: 0 });
    expect(await contactsIn(admin, 'MARKED')).toEqual([kept.id]);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('a mark made while a deletion is pending is refused, and one that slips in is not in the deletion', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const frozen = await marked(ws, 2);
    const [late] = await archivedObjects(server.url, admin, 'CONTACT', 1);
    const deletion = await activate(admin);
    const refused = await request(server.url, MarkForDeletionDocument, { refs: [late] }, admin.token);
    expect(errorCode(refused)).toBe('CONFLICT');

    // A mark written past the service (the rule is the service's; membership must not depend on it)
    // carries the current generation, the one after the deletion's: the selection, not the batch.
    await db().rows(
      `UPDATE contacts SET marked_at = now(), marked_by = $2,
         mark_generation = (SELECT selection_generation FROM workspaces WHERE id = workspace_id)
       WHERE id = $1`,
      [late.id, admin.id],
    );
    expect(await contactsIn(admin, 'MARKED')).toEqual([late.id]);
    expect(await objectsOf(admin, deletion.id)).toEqual(ids(frozen));
    expect(await markedContacts(admin)).toEqual({ count: 1, bytes: 0 });
    expect((await overview(admin)).pending!.total).toEqual({ count: 2, bytes: 0 });

    // The executor removes the batch and re-checks each row: the late mark stays, still marked.
    const due = new Date(Date.parse(deletion.executeAfter) + 1_000);
    expect(await server.app.scheduler.tick(due)).toEqual([
      { deletionId: deletion.id, outcome: ExecutionOutcome.COMPLETED },
    ]);
    const left = await db().rows<{ id: string }>('SELECT id FROM contacts WHERE workspace_id = $1', [ws.id]);
    expect(left.map((r) => r.id)).toEqual([late.id]);
    expect(await contactsIn(admin, 'MARKED')).toEqual([late.id]);
    expect(await markedContacts(admin)).toEqual({ count: 1, bytes: 0 });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });
});
