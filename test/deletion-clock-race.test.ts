import { CancelDeletionDocument, MarkForDeletionDocument } from '../operations/generated';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { Role } from '../src/domain/domain-types';
import { Clock } from '../src/domain/clock';
import { createServices } from '../src/domain/services';
import { errorCode, mustRequest, request } from './support/clients';
import { archivedObjects, verifyProblems } from './support/deletion';
import { createWorkspace, TestUser } from './support/fixtures';
import { openTransaction, OpenTransaction, waitUntilBlockedBy } from './support/row-locks';
import { startTestServer, TestServer } from './support/servers';
import { batchOfSql } from '../src/domain/deletion/batch-membership';
import { returnToSelection } from '../src/domain/deletion/lifecycle/object-moves';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  expect(await verifyProblems(server.app.services)).toEqual([]);
  await server.close();
});

const asRow = (user: TestUser, workspaceId: string) => ({
  id: user.id,
  workspaceId,
  name: 'admin',
  email: user.email,
  role: Role.ADMIN,
});

/** A marked selection of one contact in a fresh workspace. */
async function workspaceWithSelection() {
  const ws = await createWorkspace(server.database.db, 1, 0);
  const refs = await archivedObjects(server.url, ws.admins[0], 'CONTACT', 1);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
  return ws;
}

describe('the injected clock', () => {
  it('stamps activation, grace period and cancel with the clock’s time, not the wall clock', async () => {
    const ws = await workspaceWithSelection();
    let now = new Date('2031-05-01T10:00:00.000Z');
    const clock: Clock = { now: () => now };
    const { config, db, files } = server.app.services;
    const services = createServices(config, db, files, clock);
    const deletion = await services.deletions.activate(asRow(ws.admins[0], ws.id));
    expect(deletion.activatedAt.toISOString()).toBe('2031-05-01T10:00:00.000Z');
    expect(deletion.executeAfter.getTime() - deletion.activatedAt.getTime()).toBe(config.deletionGracePeriodMs);
    now = new Date('2031-05-03T08:30:00.000Z');
    const cancelled = await services.deletions.cancel(asRow(ws.admins[0], ws.id), deletion.id);
    expect(cancelled.cancelledAt?.toISOString()).toBe('2031-05-03T08:30:00.000Z');
    const notes = await db.rows<{ created_at: Date }>(
      'SELECT created_at FROM notifications WHERE deletion_id = $1 ORDER BY created_at',
      [deletion.id],
    );
    expect(notes.map((n) => n.created_at.toISOString())).toEqual([
      '2031-05-01T10:00:00.000Z',
      '2031-05-03T08:30:00.000Z',
    ]);
  });
});

describe('one active deletion per workspace (rule 5)', () => {
  it('is enforced by the database itself, whatever the code does', async () => {
    const ws = await workspaceWithSelection();
    const deletion = await server.app.services.deletions.activate(asRow(ws.admins[0], ws.id));
    const insert = server.database.db.rows(
      `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after)
       VALUES ($1, 'EXECUTING', now(), $2, now())`,
      [ws.id, ws.admins[0].id],
    );
    await expect(insert).rejects.toMatchObject({ code: '23505' });
    await server.app.services.deletions.cancel(asRow(ws.admins[0], ws.id), deletion.id);
  });
});

describe('cancel racing the executor’s claim', () => {
  let claim: OpenTransaction | undefined;
  afterEach(() => claim?.close());

  /** Runs the executor's real claim statement at `now` in a transaction left open. */
  async function openClaim(now: Date): Promise<{ claimed: string | undefined; claim: OpenTransaction }> {
    claim = await openTransaction(server.database.url);
    const claimed = await new DeletionLifecycle().claim(claim.sql, {
      now,
      instanceId: 'test-instance',
      leaseMs: 60_000,
      skip: [],
    });
    return { claimed: claimed?.id, claim };
  }

  it('a claim that commits first wins: the waiting cancel gets CONFLICT naming EXECUTING, objects stay in the deletion', async () => {
    const ws = await workspaceWithSelection();
    const deletion = await server.app.services.deletions.activate(asRow(ws.admins[0], ws.id));
    const { claimed, claim } = await openClaim(deletion.executeAfter);
    expect(claimed).toBe(deletion.id);
    const cancel = request(server.url, CancelDeletionDocument, { id: deletion.id }, ws.admins[0].token);
    // The cancel's conditional UPDATE now waits on the claim's row lock; it re-checks the status after the commit.
    await waitUntilBlockedBy(server.database.db, claim, 'the cancel to wait on the claim');
    await claim.commit();
    const refused = await cancel;
    expect(errorCode(refused)).toBe('CONFLICT');
    expect(refused.errors?.[0].extensions?.status).toBe('EXECUTING');
    const row = await server.database.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM contacts WHERE ${batchOfSql('$1::uuid')}`,
      [deletion.id],
    );
    expect(row!.n).toBe(1);
    await server.database.db.rows(`UPDATE deletions SET status = 'FAILED' WHERE id = $1`, [deletion.id]);
    await returnToSelection(server.database.db, deletion.id);
  });

  it('a cancel that commits first wins: the claim updates nothing', async () => {
    const ws = await workspaceWithSelection();
    const deletion = await server.app.services.deletions.activate(asRow(ws.admins[0], ws.id));
    await mustRequest(server.url, CancelDeletionDocument, { id: deletion.id }, ws.admins[0].token);
    const { claimed, claim } = await openClaim(deletion.executeAfter);
    await claim.commit();
    expect(claimed).toBeUndefined();
  });
});
