import { print } from 'graphql';
import {
  ActivateDeletionDocument,
  DeletionDocument,
  DeletionEventsDocument,
  DeletionEventsSubscription,
  DeletionOverviewDocument,
  MarkForDeletionDocument,
} from '../operations/generated';
import { ExecutionOutcome } from '../src/scheduler/deletion-executor';
import { connectWs, mustRequest } from './support/clients';
import { archivedObjects, verifyProblems } from './support/deletion';
import { waitFor } from './support/wait-for';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', DELETION_CHUNK_SIZE: '2' });
  ws = await createWorkspace(server.database.db, 2, 1);
});
afterAll(() => server.close());

it('mark → activate → execute through the API: admins watch PROGRESS then COMPLETED live', async () => {
  const [admin, admin2] = ws.admins;
  const refs = [
    ...(await archivedObjects(server.url, admin, 'CONTACT', 3, { bytes: 300 })),
    ...(await archivedObjects(server.url, admin, 'DEAL', 2, { bytes: 50 })),
  ];
  await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
  const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
  expect(activated.total).toEqual({ count: 5, bytes: 350 });

  const { client } = connectWs(server.wsUrl, admin2.token);
  const received: DeletionEventsSubscription['deletionEvents'][] = [];
  client.subscribe<DeletionEventsSubscription>(
    { query: print(DeletionEventsDocument) },
    {
      next: (value) => value.data && received.push(value.data.deletionEvents),
      error: () => undefined,
      complete: () => undefined,
    },
  );
  // A round trip on the socket: the subscription is registered before anything is published.
  await new Promise<void>((resolve, reject) =>
    client.subscribe({ query: '{ me { id } }' }, { next: () => undefined, error: reject, complete: resolve }),
  );
  try {
    const executeAfter = new Date(activated.executeAfter as string).getTime();
    expect(await server.app.scheduler.tick(new Date(executeAfter - 1_000))).toEqual([]);
    expect(await server.app.scheduler.tick(new Date(executeAfter + 1_000))).toEqual([
      { deletionId: activated.id, outcome: ExecutionOutcome.COMPLETED },
    ]);
    await waitFor(() => received.some((event) => event.type === 'COMPLETED'));
    // The tick a second before executeAfter is inside the default 24-hour reminder window: REMINDER first.
    // Then 5 objects in chunks of 2: three PROGRESS events, then COMPLETED; the scheduler is no user.
    expect(received.map((event) => event.type)).toEqual(['REMINDER', 'PROGRESS', 'PROGRESS', 'PROGRESS', 'COMPLETED']);
    expect(received.every((event) => event.actor === null && event.deletion!.id === activated.id)).toBe(true);
    const completed = received.at(-1)!.deletion;
    expect(completed).toMatchObject({ status: 'COMPLETED', done: { count: 5, bytes: 350 } });

    const deletion = (await mustRequest(server.url, DeletionDocument, { id: activated.id }, admin.token)).deletion!;
    expect(deletion).toMatchObject({
      status: 'COMPLETED',
      total: { count: 5, bytes: 350 },
      done: { count: 5, bytes: 350 },
    });
    expect(deletion.startedAt).not.toBeNull();
    expect(deletion.completedAt).not.toBeNull();
    expect(deletion.byType.map((t) => [t.type, t.volume, t.done])).toEqual([
      ['CONTACT', { count: 3, bytes: 300 }, { count: 3, bytes: 300 }],
      ['DEAL', { count: 2, bytes: 50 }, { count: 2, bytes: 50 }],
    ]);
    const overview = (await mustRequest(server.url, DeletionOverviewDocument, {}, admin.token)).deletionOverview;
    expect(overview.pending).toBeNull();
    expect(overview.canMark).toBe(true);
    expect(overview.types.filter((t) => t.all.count > 0)).toEqual([]);
    expect(await verifyProblems(server.app.services)).toEqual([]);
  } finally {
    await client.dispose();
  }
});
