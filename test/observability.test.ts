import { print } from 'graphql';
import {
  ActivateDeletionDocument,
  DeletionEventsDocument,
  DeletionEventsSubscription,
  MarkForDeletionDocument,
  MeDocument,
} from '../operations/generated';
import { connectWs, executeWs, mustRequest } from './support/clients';
import { archivedObjects } from './support/deletion';
import { waitFor } from './support/wait-for';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { LogCapture } from './support/log-capture';
import { startTestServer, TestServer } from './support/servers';

let server: TestServer;
let ws: TestWorkspace;
let capture: LogCapture;

beforeAll(async () => {
  capture = new LogCapture();
  // The scheduler only runs when a test ticks it.
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h', DELETION_CHUNK_SIZE: '2' }, { logger: capture.logger });
  ws = await createWorkspace(server.database.db, 1, 1);
});
afterAll(() => server?.close());

/** Scrapes `/metrics` as Prometheus would. */
async function scrape(): Promise<string> {
  const response = await fetch(server.url.replace(/\/graphql$/, '/metrics'));
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of sample `name` whose labels include `labels` (0 when absent), from a scrape. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return 0;
}

async function metric(name: string, labels: Record<string, string> = {}): Promise<number> {
  return sample(await scrape(), name, labels);
}

async function postMe(token: string | undefined, requestId: string): Promise<void> {
  await fetch(server.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-request-id': requestId,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: print(MeDocument), operationName: 'Me' }),
  });
}

describe('structured logs', () => {
  it('writes one JSON line per operation with ids, name and duration, and never the token', async () => {
    const [member] = ws.members;
    await postMe(member.token, 'obs-http-1');
    const lines = capture.linesOf('obs-http-1').filter((line) => line.msg === 'graphql operation');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        requestId: 'obs-http-1',
        userId: member.id,
        workspaceId: ws.id,
        operationName: 'Me',
        transport: 'http',
        durationMs: expect.any(Number),
      }),
    ]);

    const { client } = connectWs(server.wsUrl, member.token);
    try {
      await executeWs(client, MeDocument);
    } finally {
      await client.dispose();
    }
    const overWs = capture.lines().filter((line) => line.msg === 'graphql operation' && line.transport === 'ws');
    expect(overWs).toEqual([
      expect.objectContaining({
        requestId: expect.any(String),
        userId: member.id,
        workspaceId: ws.id,
        operationName: 'Me',
      }),
    ]);
    expect(capture.raw).not.toContain(member.token);
    expect(capture.raw).not.toContain(member.token.split('.')[2]);
  });
});

describe('/metrics', () => {
  it('counts operations by name and transport, their latency, and errors by code', async () => {
    const before = await scrape();
    const labels = { operation: 'Me', transport: 'http' };
    await postMe(ws.members[0].token, 'obs-metrics-1');
    await postMe(ws.members[0].token, 'obs-metrics-2');
    await postMe(undefined, 'obs-metrics-3');
    const after = await scrape();
    const delta = (name: string, l: Record<string, string>) => sample(after, name, l) - sample(before, name, l);
    expect(delta('graphql_operations_total', labels)).toBe(3);
    expect(delta('graphql_operation_duration_seconds_count', labels)).toBe(3);
    expect(delta('graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
  });

  it('shows open WebSockets going up and down', async () => {
    const base = await metric('websocket_connections_open');
    const { client } = connectWs(server.wsUrl, ws.members[0].token);
    try {
      await executeWs(client, MeDocument);
      expect(await metric('websocket_connections_open')).toBe(base + 1);
    } finally {
      await client.dispose();
    }
    await waitFor(async () => (await metric('websocket_connections_open')) === base);
  });

  it('counts events delivered and what an executed deletion removed; counts active deletions by status', async () => {
    const [admin] = ws.admins;
    const received: DeletionEventsSubscription['deletionEvents'][] = [];
    const { client } = connectWs(server.wsUrl, admin.token);
    client.subscribe<DeletionEventsSubscription>(
      { query: print(DeletionEventsDocument) },
      {
        next: (value) => value.data && received.push(value.data.deletionEvents),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    try {
      // A round trip on the socket: the subscription is registered before anything is published.
      await executeWs(client, MeDocument);
      const delivered = await metric('deletion_events_delivered_total');
      const refs = await archivedObjects(server.url, admin, 'CONTACT', 3, { bytes: 300 });
      await mustRequest(server.url, MarkForDeletionDocument, { refs }, admin.token);
      const activated = (await mustRequest(server.url, ActivateDeletionDocument, {}, admin.token)).activateDeletion;
      expect(await metric('deletions_active', { status: 'PENDING' })).toBe(1);

      await server.app.scheduler.tick(new Date(new Date(activated.executeAfter as string).getTime() + 1_000));
      await waitFor(() => received.some((event) => event.type === 'COMPLETED'));
      const text = await scrape();
      // ACTIVATED, two PROGRESS (chunks of 2), COMPLETED: each sent to the one subscriber.
      expect(received.map((event) => event.type)).toEqual(['ACTIVATED', 'PROGRESS', 'PROGRESS', 'COMPLETED']);
      expect(sample(text, 'deletion_events_delivered_total') - delivered).toBe(4);
      expect(sample(text, 'deletion_objects_deleted_total')).toBe(3);
      expect(sample(text, 'deletion_bytes_deleted_total')).toBe(300);
      expect(sample(text, 'deletion_chunk_duration_seconds_count')).toBe(2);
      expect(text).toContain('deletions_active{status="PENDING"} 0');
      expect(text).toContain('deletions_active{status="EXECUTING"} 0');
      expect(capture.lines()).toContainEqual(
        expect.objectContaining({ deletionId: activated.id, workspaceId: ws.id, outcome: 'COMPLETED' }),
      );
    } finally {
      await client.dispose();
    }
  });
});
