import { print } from 'graphql';
import {
  CancelDeletionDocument,
  HoldEventsDocument,
  HoldEventsSubscription,
  PlaceLegalHoldDocument,
  ReleaseLegalHoldDocument,
} from '../operations/generated';
import { connectWs, mustRequest } from './support/clients';
import { activateOne, archivedObjects } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';
import { SubscriptionLog } from './support/subscription-log';
import { waitFor } from './support/wait-for';
import { subscribeLive } from './support/warm-up';

let server: TestServer;
const disposers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()));
});
afterAll(() => server?.close());

type HoldEvent = HoldEventsSubscription['deletionEvents'];
const events = (log: SubscriptionLog) =>
  log.payloads.map((payload) => (payload as { data: HoldEventsSubscription }).data.deletionEvents);

describe('legal hold events', () => {
  it('reaches every admin live over graphql-ws, with the hold and the active deletion, and as notifications', async () => {
    const ws = await createWorkspace(server.database.db, 2, 0);
    const [admin, other] = ws.admins;
    const deletionId = await activateOne(server.url, admin);
    const clients = ws.admins.map((user) => connectWs(server.wsUrl, user.token).client);
    for (const client of clients) disposers.push(async () => void (await client.dispose()));
    const logs = await subscribeLive(
      server.database.db,
      { workspaceId: ws.id, deletionId },
      clients.map((client) => ({ client, query: print(HoldEventsDocument) })),
    );

    const refs = await archivedObjects(server.url, admin, 'DEAL', 2);
    const { placeLegalHold: placed } = await mustRequest(
      server.url,
      PlaceLegalHoldDocument,
      { reason: 'Case 7', refs },
      admin.token,
    );
    // The deletion is read when an event is delivered: the hold event is heard before the cancel.
    await waitFor(() => logs.every((log) => log.payloads.length >= 1), { what: 'the hold event at every admin' });
    await mustRequest(server.url, CancelDeletionDocument, { id: deletionId }, other.token);
    await mustRequest(server.url, ReleaseLegalHoldDocument, { id: placed.id }, other.token);
    await waitFor(() => logs.every((log) => log.payloads.length >= 3), {
      what: 'three events at every admin',
      progress: () => logs.reduce((n, log) => n + log.payloads.length, 0),
    });

    for (const log of logs) {
      const [hold, cancelled, released] = events(log) as HoldEvent[];
      expect(hold).toMatchObject({
        type: 'HOLD_PLACED',
        actor: { id: admin.id },
        deletion: { id: deletionId, status: 'PENDING' },
        hold: { id: placed.id, reason: 'Case 7', objectCount: 2 },
      });
      expect(cancelled).toMatchObject({ type: 'CANCELLED', deletion: { id: deletionId }, hold: null });
      // No deletion is active any more: a hold event then names none.
      expect(released).toMatchObject({
        type: 'HOLD_RELEASED',
        actor: { id: other.id },
        deletion: null,
        hold: { id: placed.id, active: false, releasedBy: { id: other.id } },
      });
      expect(log.end).toBeUndefined();
    }
    const notes = await server.database.db.rows<{ user_id: string; kind: string; hold_id: string }>(
      `SELECT user_id, kind, hold_id FROM notifications WHERE workspace_id = $1 AND hold_id IS NOT NULL
       ORDER BY kind, user_id`,
      [ws.id],
    );
    const admins = ws.admins.map((user) => user.id).sort();
    expect(notes).toEqual([
      ...admins.map((id) => ({ user_id: id, kind: 'HOLD_PLACED', hold_id: placed.id })),
      ...admins.map((id) => ({ user_id: id, kind: 'HOLD_RELEASED', hold_id: placed.id })),
    ]);
  });
});
