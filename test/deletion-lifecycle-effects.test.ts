import { randomUUID } from 'node:crypto';
import { MarkForDeletionDocument } from '../operations/generated';
import { Sql } from '../src/database/database';
import { systemClock } from '../src/domain/clock';
import { DeletionEventType } from '../src/domain/deletion/deletion-events';
import { DeletionStatus } from '../src/domain/deletion/deletion-status';
import {
  effectOn,
  InternalEventType,
  LifecycleEvent,
  LifecycleEventType,
  TransitionEffect,
} from '../src/domain/deletion/lifecycle/lifecycle-event';
import { Role, UserRow } from '../src/domain/domain-types';
import { createServices, Services } from '../src/domain/services';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { mustRequest } from './support/clients';
import { archivedObjects, deletionSnapshot, verifyProblems } from './support/deletion';
import { listenDeletionEvents, testScheduler } from './support/executor-fixtures';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { snapshot } from './support/objects';
import { startTestServer, TestServer } from './support/servers';
import { batchDeletionIdSql } from '../src/domain/deletion/batch-membership';

const HOUR_MS = 3_600_000;

let server: TestServer;
let events: Awaited<ReturnType<typeof listenDeletionEvents>>;

beforeAll(async () => {
  server = await startTestServer();
  events = await listenDeletionEvents(server.database.url);
});
afterAll(async () => {
  await events?.close();
  if (server) expect(await verifyProblems(server.app.services)).toEqual([]);
  await server?.close();
});

/** What an effect saw: the event, and the deletion's status read through the transaction it was given. */
interface Seen {
  event: LifecycleEvent;
  statusInTx: DeletionStatus | null;
}

/**
 * The services of one test, wired with two effects: one that records every event and reads the
 * deletion back through the transaction (so it sees the transition's own uncommitted write), and
 * one that throws for the event type `failOn` names.
 */
function wired(): { services: Services; seen: Seen[]; failOn: { type: LifecycleEventType | null } } {
  const seen: Seen[] = [];
  const failOn: { type: LifecycleEventType | null } = { type: null };
  const record: TransitionEffect = async (tx: Sql, event) => {
    const row = event.deletionId
      ? await tx.one<{ status: DeletionStatus }>('SELECT status FROM deletions WHERE id = $1', [event.deletionId])
      : undefined;
    seen.push({ event, statusInTx: row?.status ?? null });
  };
  const refuse: TransitionEffect = async (_tx, event) => {
    if (event.type === failOn.type) throw new Error(`effect refused ${event.type}`);
  };
  const { config, db, files } = server.app.services;
  return { services: createServices(config, db, files, systemClock, [record, refuse]), seen, failOn };
}

function adminRow(ws: TestWorkspace): UserRow {
  const admin = ws.admins[0];
  return { id: admin.id, workspaceId: ws.id, name: 'admin', email: admin.email, role: Role.ADMIN };
}

/** A workspace (two admins) whose selection holds `n` archived contacts. */
async function workspaceWithSelection(n: number): Promise<TestWorkspace> {
  const ws = await createWorkspace(server.database.db, 2, 0);
  const refs = await archivedObjects(server.url, ws.admins[0], 'CONTACT', n);
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, ws.admins[0].token);
  return ws;
}

/** Every table a transition writes: objects, counters, volumes, deletions, notifications, settings. */
async function everything(): Promise<string> {
  const db = server.database.db;
  const settings = await db.rows('SELECT * FROM deletion_settings ORDER BY workspace_id');
  const changes = await db.rows('SELECT * FROM deletion_settings_changes ORDER BY id');
  return (await snapshot(db)) + (await deletionSnapshot(db)) + JSON.stringify([settings, changes]);
}

/** The events delivered to the LISTEN connection for `ws` so far. */
async function heard(ws: TestWorkspace): Promise<DeletionEventType[]> {
  await events.settled(server.database.db);
  return events.messages.filter((m) => m.workspaceId === ws.id).map((m) => m.type);
}

describe('transition effects', () => {
  it('roll the transition back when one throws: no row change, no notification, no event delivered', async () => {
    const ws = await workspaceWithSelection(2);
    const { services, failOn } = wired();
    const admin = adminRow(ws);

    failOn.type = DeletionEventType.ACTIVATED;
    let before = await everything();
    await expect(services.deletions.activate(admin)).rejects.toThrow('effect refused ACTIVATED');
    expect(await everything()).toBe(before);

    failOn.type = null;
    const deletion = await services.deletions.activate(admin);
    failOn.type = DeletionEventType.CANCELLED;
    before = await everything();
    await expect(services.deletions.cancel(admin, deletion.id)).rejects.toThrow('effect refused CANCELLED');
    expect(await everything()).toBe(before);

    failOn.type = InternalEventType.SETTINGS_CHANGED;
    await expect(services.deletionSettings.update(admin, { reminderHoursBefore: 2 })).rejects.toThrow(
      'effect refused SETTINGS_CHANGED',
    );
    expect(await everything()).toBe(before);

    // The executor: a refused COMPLETED leaves the run EXECUTING, an attempt that a later claim retries.
    failOn.type = DeletionEventType.COMPLETED;
    const scheduler = testScheduler(services, { chunkSize: 10 });
    const due = new Date(deletion.executeAfter.getTime() + 1000);
    expect(await scheduler.tick(due)).toEqual([{ deletionId: deletion.id, outcome: ExecutionOutcome.RETRY }]);
    const row = await server.database.db.one<{ status: string }>('SELECT status FROM deletions WHERE id = $1', [
      deletion.id,
    ]);
    expect(row!.status).toBe(DeletionStatus.EXECUTING);
    const kinds = await server.database.db.rows<{ kind: string }>(
      'SELECT DISTINCT kind FROM notifications WHERE workspace_id = $1 ORDER BY kind',
      [ws.id],
    );
    expect(kinds.map((k) => k.kind)).toEqual(['DELETION_ACTIVATED']);
    // Only what committed was delivered: the activation and the chunk's progress.
    expect(await heard(ws)).toEqual([DeletionEventType.ACTIVATED, DeletionEventType.PROGRESS]);

    // Let the run finish so the workspace ends consistent (afterAll verifies the counters).
    failOn.type = null;
    await server.database.db.rows('UPDATE deletions SET locked_until = NULL WHERE id = $1', [deletion.id]);
    expect(await scheduler.tick(due)).toEqual([{ deletionId: deletion.id, outcome: ExecutionOutcome.COMPLETED }]);
  });

  it('see each transition once, inside its transaction, with the status it wrote', async () => {
    const ws = await workspaceWithSelection(3);
    const { services, seen } = wired();
    const admin = adminRow(ws);
    const mine = () => seen.filter((s) => s.event.workspaceId === ws.id);

    await services.deletionSettings.update(admin, { reminderHoursBefore: 2 });
    const cancelled = await services.deletions.activate(admin);
    await services.deletions.cancel(admin, cancelled.id);
    const deletion = await services.deletions.activate(admin);
    const scheduler = testScheduler(services, { chunkSize: 2 });
    await scheduler.tick(new Date(deletion.executeAfter.getTime() - HOUR_MS)); // the reminder's window
    await scheduler.tick(new Date(deletion.executeAfter.getTime() - HOUR_MS)); // sent once only
    await scheduler.tick(new Date(deletion.executeAfter.getTime() + 1000));

    expect(mine().map(({ event, statusInTx }) => [event.type, event.deletionId, event.status, statusInTx])).toEqual([
      [InternalEventType.SETTINGS_CHANGED, null, null, null],
      [DeletionEventType.ACTIVATED, cancelled.id, 'PENDING', 'PENDING'],
      [DeletionEventType.CANCELLED, cancelled.id, 'CANCELLED', 'CANCELLED'],
      [DeletionEventType.ACTIVATED, deletion.id, 'PENDING', 'PENDING'],
      [DeletionEventType.REMINDER, deletion.id, 'PENDING', 'PENDING'],
      [InternalEventType.CLAIMED, deletion.id, 'EXECUTING', 'EXECUTING'],
      [DeletionEventType.PROGRESS, deletion.id, 'EXECUTING', 'EXECUTING'],
      [DeletionEventType.PROGRESS, deletion.id, 'EXECUTING', 'EXECUTING'],
      [DeletionEventType.COMPLETED, deletion.id, 'COMPLETED', 'COMPLETED'],
    ]);
    // Admins' actions carry the admin; the scheduler's carry no actor.
    expect(mine().map((s) => s.event.actorId)).toEqual([...Array(4).fill(admin.id), ...Array(5).fill(null)]);
    // The effects saw exactly what the subscribers were told.
    expect(await heard(ws)).toEqual(
      mine()
        .map((s) => s.event.type)
        .filter((type) => type !== InternalEventType.SETTINGS_CHANGED && type !== InternalEventType.CLAIMED),
    );
  });

  it('fail a run given up by an effect: FAILED is seen once, and the objects return to the selection', async () => {
    const ws = await workspaceWithSelection(1);
    const { services, seen, failOn } = wired();
    const deletion = await services.deletions.activate(adminRow(ws));
    failOn.type = DeletionEventType.PROGRESS;
    const scheduler = testScheduler(services, { chunkSize: 10, maxAttempts: 1 });
    expect(await scheduler.tick(new Date(deletion.executeAfter.getTime() + 1000))).toEqual([
      { deletionId: deletion.id, outcome: ExecutionOutcome.FAILED },
    ]);
    const mine = seen.filter((s) => s.event.workspaceId === ws.id);
    expect(mine.map((s) => [s.event.type, s.statusInTx])).toEqual([
      [DeletionEventType.ACTIVATED, 'PENDING'],
      [InternalEventType.CLAIMED, 'EXECUTING'],
      [DeletionEventType.PROGRESS, 'EXECUTING'], // rolled back with its chunk
      [DeletionEventType.FAILED, 'FAILED'],
    ]);
    expect(await heard(ws)).toEqual([DeletionEventType.ACTIVATED, DeletionEventType.FAILED]);
    const left = await server.database.db.one<{ marked: number; pending: number }>(
      `SELECT count(*) FILTER (WHERE marked_at IS NOT NULL)::int AS marked,
              count(*) FILTER (WHERE ${batchDeletionIdSql('contacts')} IS NOT NULL)::int AS pending
       FROM contacts WHERE workspace_id = $1`,
      [ws.id],
    );
    expect(left).toEqual({ marked: 1, pending: 0 });
  });

  it('that do not act on PROGRESS let each chunk announce it in its own statement, outside a transaction', async () => {
    const ws = await workspaceWithSelection(5);
    const seen: LifecycleEventType[] = [];
    const { COMPLETED } = DeletionEventType;
    const ended = effectOn([COMPLETED], async (_tx, event) => void seen.push(event.type));
    const { config, db, files } = server.app.services;
    const services = createServices(config, db, files, systemClock, [ended]);
    expect(services.lifecycle.progressPayload(aRun())).toBeDefined();
    const deletion = await services.deletions.activate(adminRow(ws));
    const transactions = jest.spyOn(db, 'transaction');
    const progress = jest.spyOn(services.lifecycle, 'progress');
    try {
      // How many transactions had begun as each chunk committed: the same for all three (2 + 2 + 1
      // contacts), so none of them ran in one.
      const begun: number[] = [];
      const afterChunk = () => void begun.push(transactions.mock.calls.length);
      const scheduler = testScheduler(services, { chunkSize: 2, afterChunk });
      expect(await scheduler.tick(new Date(deletion.executeAfter.getTime() + 1000))).toEqual([
        { deletionId: deletion.id, outcome: ExecutionOutcome.COMPLETED },
      ]);
      expect(begun).toHaveLength(3);
      expect(new Set(begun).size).toBe(1);
      expect(progress).not.toHaveBeenCalled();
    } finally {
      transactions.mockRestore();
      progress.mockRestore();
    }
    expect(seen).toEqual([COMPLETED]);
    const { PROGRESS, ACTIVATED } = DeletionEventType;
    expect(await heard(ws)).toEqual([ACTIVATED, PROGRESS, PROGRESS, PROGRESS, COMPLETED]);
  });

  it("acting on every event (no `on`) or on PROGRESS keep PROGRESS in its chunk's transaction", async () => {
    const { config, db, files } = server.app.services;
    const all: TransitionEffect = async () => undefined;
    const progress = effectOn([DeletionEventType.PROGRESS], async () => undefined);
    for (const effects of [[all], [progress]]) {
      const services = createServices(config, db, files, systemClock, effects);
      expect(services.lifecycle.progressPayload(aRun())).toBeUndefined();
    }
  });
});

/** A run of the scheduler over a made-up deletion (what progressPayload is asked about). */
function aRun() {
  return { deletion: { id: randomUUID(), workspaceId: randomUUID() }, instanceId: 'test', now: new Date() };
}
