import {
  ActivateDeletionDocument,
  ArchiveObjectsDocument,
  DeletionOverviewDocument,
  HeldOverviewDocument,
  LegalHoldsDocument,
  MarkForDeletionDocument,
  MarkSkippingHeldDocument,
  ObjectOnHoldDocument,
  PlaceLegalHoldDocument,
  ReleaseLegalHoldDocument,
  RestoreObjectsDocument,
} from '../operations/generated';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, deletionSnapshot, Ref, verifyProblems } from './support/deletion';
import { createWorkspace, TestUser } from './support/fixtures';
import { createObject, snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { batchDeletionIdSql } from '../src/domain/deletion/batch-membership';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  expect(await verifyProblems(server.app.services)).toEqual([]);
  await server.close();
});

const db = () => server.database.db;
const state = async () =>
  (await snapshot(db())) +
  (await deletionSnapshot(db())) +
  JSON.stringify(
    await Promise.all(
      ['legal_holds ORDER BY id', 'legal_hold_objects ORDER BY 1, 2, 3, 4'].map((t) => db().rows(`SELECT * FROM ${t}`)),
    ),
  );

/** Sends `send`, expects the refusal code, and checks that no table changed. */
async function refused(code: string, send: () => Promise<Parameters<typeof errorCode>[0]>) {
  const before = await state();
  const response = await send();
  expect(errorCode(response)).toBe(code);
  expect(await state()).toBe(before);
  return response.errors![0];
}

async function hold(admin: TestUser, refs: Ref[], reason = 'Case 2026-17: litigation') {
  return (await mustRequest(server.url, PlaceLegalHoldDocument, { reason, refs }, admin.token)).placeLegalHold;
}

async function onHold(user: TestUser, { type, id }: Ref) {
  return (await mustRequest(server.url, ObjectOnHoldDocument, { type, id }, user.token)).object!;
}

async function figures(admin: TestUser, type: string) {
  const { deletionOverview } = await mustRequest(server.url, HeldOverviewDocument, {}, admin.token);
  return deletionOverview.types.find((t) => t.type === type)!;
}

describe('legal holds: marking', () => {
  it('refuses to mark a held object with CONFLICT naming the hold, and changes nothing', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const [held, free] = await archivedObjects(server.url, admin, 'DEAL', 2);
    const placed = await hold(admin, [held]);
    expect(placed).toMatchObject({ objectCount: 1, active: true, reason: 'Case 2026-17: litigation' });
    expect(placed.placedBy.id).toBe(admin.id);

    const error = await refused('CONFLICT', () =>
      request(server.url, MarkForDeletionDocument, { refs: [free, held] }, admin.token),
    );
    expect(error.message).toContain(placed.id);
    expect(error.message).toContain('Case 2026-17');
    expect(error.extensions?.refs).toEqual([{ ...held, reason: 'ON_HOLD' }]);
    expect(error.extensions?.holds).toEqual([{ id: placed.id, reason: placed.reason, refs: [held] }]);
    expect(await onHold(admin, held)).toMatchObject({ onHold: true, deletionState: 'NONE' });
    expect(await onHold(admin, free)).toMatchObject({ onHold: false });
  });

  it('skips held objects in a mark by filter and counts them', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const calls = await archivedObjects(server.url, admin, 'CALL', 3, { bytes: 10 });
    await hold(admin, [calls[0]]);
    const { markForDeletion } = await mustRequest(
      server.url,
      MarkSkippingHeldDocument,
      { filter: { type: 'CALL' } },
      admin.token,
    );
    expect(markForDeletion).toEqual({ changed: 2, skippedTasks: 0, skippedHeld: 1 });
    expect(await onHold(admin, calls[0])).toMatchObject({ onHold: true, deletionState: 'NONE' });
    expect(await onHold(admin, calls[1])).toMatchObject({ onHold: false, deletionState: 'MARKED' });
    expect(await figures(admin, 'CALL')).toMatchObject({
      held: { count: 1, bytes: 10 },
      marked: { count: 2, bytes: 0 },
    });
  });

  it('leaves held objects to the retention policy’s auto-mark', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const emails = await archivedObjects(server.url, admin, 'EMAIL', 2);
    await hold(admin, [emails[0]]);
    const change = await server.app.services.selection.markArchivedBefore(
      ws.id,
      new Date(Date.now() + 60_000),
      new Date(),
    );
    expect(change).toMatchObject({ changed: 1 });
    expect(await onHold(admin, emails[0])).toMatchObject({ onHold: true, deletionState: 'NONE' });
    expect(await onHold(admin, emails[1])).toMatchObject({ deletionState: 'MARKED' });
  });
});

describe('legal holds: placing takes objects out of the selection and the pending deletion', () => {
  it('unmarks held objects of the selection, counters exact', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const deals = await archivedObjects(server.url, admin, 'DEAL', 3, { bytes: 7 });
    await mustRequest(server.url, MarkForDeletionDocument, { refs: deals }, admin.token);
    await hold(admin, [deals[0], deals[1]]);
    expect(await figures(admin, 'DEAL')).toMatchObject({
      held: { count: 2, bytes: 7 },
      marked: { count: 1, bytes: 0 },
    });
    expect(await onHold(admin, deals[0])).toMatchObject({ onHold: true, deletionState: 'NONE' });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('takes held objects out of a pending deletion, its figures shrinking', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const contacts = await archivedObjects(server.url, admin, 'CONTACT', 3, { bytes: 100 });
    await mustRequest(server.url, MarkForDeletionDocument, { refs: contacts }, admin.token);
    const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
    expect(activated.total).toEqual({ count: 3, bytes: 100 });

    await hold(admin, [contacts[0]]);
    const { deletionOverview } = await mustRequest(server.url, DeletionOverviewDocument, {}, admin.token);
    expect(deletionOverview.pending!.total).toEqual({ count: 2, bytes: 0 });
    expect(deletionOverview.pending!.byType).toContainEqual(
      expect.objectContaining({ type: 'CONTACT', volume: { count: 2, bytes: 0 } }),
    );
    expect(await onHold(admin, contacts[0])).toMatchObject({ onHold: true, deletionState: 'NONE' });
    const row = await db().one<{ deletion_id: string | null; marked_at: Date | null; held_count: number }>(
      `SELECT ${batchDeletionIdSql('contacts')} AS deletion_id, marked_at, held_count FROM contacts WHERE id = $1`,
      [contacts[0].id],
    );
    expect(row).toEqual({ deletion_id: null, marked_at: null, held_count: 1 });
    expect(await verifyProblems(server.app.services)).toEqual([]);
  });

  it('holds by filter every archived object it matches, in chunks', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const tasks = await archivedObjects(server.url, admin, 'TASK', 3, { status: 'VERIFIED' });
    const active = await createObject(server.url, admin, 'TASK');
    const { placeLegalHold } = await mustRequest(
      server.url,
      PlaceLegalHoldDocument,
      { reason: 'Audit', filter: { type: 'TASK' } },
      admin.token,
    );
    expect(placeLegalHold.objectCount).toBe(3);
    for (const task of tasks) expect(await onHold(admin, task)).toMatchObject({ onHold: true });
    expect(await onHold(admin, active)).toMatchObject({ onHold: false });
    expect(await figures(admin, 'TASK')).toMatchObject({ held: { count: 3 } });
  });
});

describe('legal holds: release', () => {
  it('restores markability once the last hold covering an object is released', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const [deal] = await archivedObjects(server.url, admin, 'DEAL', 1);
    const first = await hold(admin, [deal], 'first');
    const second = await hold(admin, [deal], 'second');

    const released = (await mustRequest(server.url, ReleaseLegalHoldDocument, { id: first.id }, admin.token))
      .releaseLegalHold;
    expect(released).toMatchObject({ active: false, objectCount: 1, releasedBy: { id: admin.id } });
    const error = await refused('CONFLICT', () =>
      request(server.url, MarkForDeletionDocument, { refs: [deal] }, admin.token),
    );
    expect(error.extensions?.holds).toEqual([{ id: second.id, reason: 'second', refs: [deal] }]);
    await refused('CONFLICT', () => request(server.url, ReleaseLegalHoldDocument, { id: first.id }, admin.token));

    await mustRequest(server.url, ReleaseLegalHoldDocument, { id: second.id }, admin.token);
    expect(await onHold(admin, deal)).toMatchObject({ onHold: false });
    await mustRequest(server.url, MarkForDeletionDocument, { refs: [deal] }, admin.token);
    expect(await onHold(admin, deal)).toMatchObject({ deletionState: 'MARKED' });

    const all = (await mustRequest(server.url, LegalHoldsDocument, {}, admin.token)).legalHolds;
    expect(all.totalCount).toBe(2);
    expect(all.edges.map((e) => e.node.reason)).toEqual(['second', 'first']);
    const active = (await mustRequest(server.url, LegalHoldsDocument, { active: true }, admin.token)).legalHolds;
    expect(active.totalCount).toBe(0);
  });

  it('leaves held active objects free to be archived and restored, never marked', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const contact = await createObject(server.url, admin, 'CONTACT');
    await hold(admin, [contact]);
    await mustRequest(server.url, ArchiveObjectsDocument, { refs: [contact] }, admin.token);
    await refused('CONFLICT', () => request(server.url, MarkForDeletionDocument, { refs: [contact] }, admin.token));
    await mustRequest(server.url, RestoreObjectsDocument, { refs: [contact] }, admin.token);
    expect(await onHold(admin, contact)).toMatchObject({ onHold: true });
  });
});

describe('legal holds: refusals (each changes nothing)', () => {
  it('refuses members with FORBIDDEN', async () => {
    const ws = await createWorkspace(db(), 1, 1);
    const [admin] = ws.admins;
    const [member] = ws.members;
    const refs = await archivedObjects(server.url, member, 'CONTACT', 1);
    const placed = await hold(admin, refs);
    await refused('FORBIDDEN', () => request(server.url, PlaceLegalHoldDocument, { reason: 'x', refs }, member.token));
    await refused('FORBIDDEN', () => request(server.url, ReleaseLegalHoldDocument, { id: placed.id }, member.token));
    await refused('FORBIDDEN', () => request(server.url, LegalHoldsDocument, {}, member.token));
    await refused('UNAUTHENTICATED', () => request(server.url, ReleaseLegalHoldDocument, { id: placed.id }));
  });

  it('keeps another workspace’s holds invisible and unusable', async () => {
    const mine = await createWorkspace(db(), 1, 0);
    const theirs = await createWorkspace(db(), 1, 0);
    const [theirObject] = await archivedObjects(server.url, theirs.admins[0], 'DEAL', 1);
    const theirHold = await hold(theirs.admins[0], [theirObject]);
    const [admin] = mine.admins;

    const listed = (await mustRequest(server.url, LegalHoldsDocument, {}, admin.token)).legalHolds;
    expect(listed.totalCount).toBe(0);
    await refused('NOT_FOUND', () => request(server.url, ReleaseLegalHoldDocument, { id: theirHold.id }, admin.token));
    await refused('NOT_FOUND', () =>
      request(server.url, PlaceLegalHoldDocument, { reason: 'x', refs: [theirObject] }, admin.token),
    );
    await refused('NOT_FOUND', () => request(server.url, ReleaseLegalHoldDocument, { id: 'nope' }, admin.token));
    expect(await figures(admin, 'DEAL')).toMatchObject({ held: { count: 0 } });
  });

  it('refuses a bad reason, too many refs and refs with a filter with BAD_USER_INPUT', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const refs = await archivedObjects(server.url, admin, 'CONTACT', 1);
    await refused('BAD_USER_INPUT', () =>
      request(server.url, PlaceLegalHoldDocument, { reason: '  ', refs }, admin.token),
    );
    await refused('BAD_USER_INPUT', () =>
      request(server.url, PlaceLegalHoldDocument, { reason: 'x'.repeat(1001), refs }, admin.token),
    );
    await refused('BAD_USER_INPUT', () =>
      request(server.url, PlaceLegalHoldDocument, { reason: 'x', refs, filter: { type: 'CONTACT' } }, admin.token),
    );
    await refused('BAD_USER_INPUT', () => request(server.url, PlaceLegalHoldDocument, { reason: 'x' }, admin.token));
    const many = Array.from({ length: 1001 }, () => refs[0]);
    await refused('BAD_USER_INPUT', () =>
      request(server.url, PlaceLegalHoldDocument, { reason: 'x', refs: many }, admin.token),
    );
  });

  it('refuses a hold naming a missing object with NOT_FOUND, holding nothing', async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const [admin] = ws.admins;
    const [deal] = await archivedObjects(server.url, admin, 'DEAL', 1);
    const missing = { type: 'DEAL' as const, id: '00000000-0000-4000-8000-000000000000' };
    const error = await refused('NOT_FOUND', () =>
      request(server.url, PlaceLegalHoldDocument, { reason: 'x', refs: [deal, missing] }, admin.token),
    );
    expect(error.extensions?.refs).toEqual([{ ...missing, reason: 'NOT_FOUND' }]);
    const row = await db().one<{ held_count: number }>('SELECT held_count FROM deals WHERE id = $1', [deal.id]);
    expect(row!.held_count).toBe(0);
  });
});
