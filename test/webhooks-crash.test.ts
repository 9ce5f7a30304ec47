import { activateOne } from './support/deletion';
import { createWorkspace } from './support/fixtures';
import { ServerProcess, startServerProcess, startTestServer, TestServer } from './support/servers';
import { STALL_GUARDED_TIMEOUT_MS, waitFor } from './support/wait-for';
import { startReceiver } from './support/webhook-receiver';
import { registerReceiver } from './support/webhooks';

/**
 * The outbox survives a crash: an event committed by a process SIGKILLed before it sent anything is
 * sent by the next process; one killed while its receiver held the request is sent again once the
 * attempt's lease ends, with the same webhook-id (at least once; receivers deduplicate by the id).
 */
let server: TestServer;

beforeAll(async () => {
  // This process registers endpoints and checks; its own scheduler never ticks during the test.
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
});
afterAll(() => server?.close());

const db = () => server.database.db;

function startChild(schedulerInterval: string): ServerProcess {
  return startServerProcess(
    { SCHEDULER_INTERVAL: schedulerInterval, WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_ATTEMPT_TIMEOUT: '1s' },
    { database: server.database, dataDir: server.dataDir },
  );
}

async function stateOf(endpointId: string): Promise<string | undefined> {
  const row = await db().one<{ state: string }>('SELECT state FROM webhook_deliveries WHERE endpoint_id = $1', [
    endpointId,
  ]);
  return row?.state;
}

test(
  'sends an event committed by a process SIGKILLed before it sent it',
  async () => {
    const ws = await createWorkspace(db(), 1, 0);
    const receiver = await startReceiver();
    const endpointId = await registerReceiver(server.url, ws.admins[0], receiver, ['deletion.activated']);
    const first = startChild('1h');
    await activateOne(await first.ready(), ws.admins[0]);
    first.kill();
    await first.exit();
    expect(await stateOf(endpointId)).toBe('PENDING');
    const second = startChild('50ms');
    await second.ready();
    await waitFor(async () => (await stateOf(endpointId)) === 'DELIVERED', {
      what: 'the restarted process to deliver the committed event',
      progress: second.progress,
    });
    expect(receiver.received.map((r) => [r.payload.type, r.verified])).toEqual([['deletion.activated', true]]);
  },
  STALL_GUARDED_TIMEOUT_MS,
);

test(
  'sends again, with the same webhook-id, an event whose process was SIGKILLed mid-request',
  async () => {
    const ws = await createWorkspace(db(), 1, 0);
    let answered = false;
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first request is held until its sender is dead; later ones are answered at once.
    const receiver = await startReceiver(async () => {
      if (answered) return 200;
      answered = true;
      await held;
      return 200;
    });
    const endpointId = await registerReceiver(server.url, ws.admins[0], receiver, ['deletion.activated']);
    const first = startChild('50ms');
    await activateOne(await first.ready(), ws.admins[0]);
    await waitFor(() => receiver.received.length === 1, { what: 'the first attempt', progress: first.progress });
    first.kill();
    await first.exit();
    release();
    const second = startChild('50ms');
    await second.ready();
    await waitFor(async () => (await stateOf(endpointId)) === 'DELIVERED', {
      what: 'the attempt to be made again once its lease ended',
      progress: second.progress,
    });
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    expect(receiver.accepted()).toHaveLength(1);
  },
  STALL_GUARDED_TIMEOUT_MS,
);
