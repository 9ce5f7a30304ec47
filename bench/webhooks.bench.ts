import http from 'node:http';
import { AddressInfo } from 'node:net';
import { loadConfig } from '../src/config';
import { Database } from '../src/database/database';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { LinkTokens } from '../src/domain/webhooks/link-token';
import { WebhookDelivery } from '../src/domain/webhooks/webhook-delivery';
import { enqueueWebhookEvent } from '../src/domain/webhooks/webhook-events';
import { createLogger } from '../src/log';
import { BenchDatabase } from './bench-database';
import { BenchResult } from './run';

const ENDPOINTS = 1000;
const RECEIVERS = 10;
const ROUNDS = 5;

/** Local receivers answering 204 at once; the endpoints are spread over them. */
async function startReceivers(): Promise<{ urls: string[]; close(): Promise<void> }> {
  const servers = await Promise.all(
    Array.from({ length: RECEIVERS }, async () => {
      const server = http.createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(204).end());
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  const urls = Array.from(
    { length: ENDPOINTS },
    (_, i) => `http://127.0.0.1:${(servers[i % RECEIVERS].address() as AddressInfo).port}/hook/${i}`,
  );
  return {
    urls,
    close: async () => {
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

async function seedEndpoints(db: Database, urls: string[]): Promise<string> {
  const ws = await db.one<{ id: string }>("INSERT INTO workspaces (name) VALUES ('webhooks bench') RETURNING id");
  await db.rows(
    `INSERT INTO webhook_endpoints (workspace_id, url, event_types, secret, created_at)
     SELECT $1, url, ARRAY['deletion.activated'], 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', now() FROM unnest($2::text[]) url`,
    [ws!.id, urls],
  );
  return ws!.id;
}

/**
 * Issue 24's figures: one event to 1,000 endpoints of one workspace (the outbox INSERT, then the
 * worker's claims, signed POSTs and records) against 1,000 bare `fetch` calls to the same local
 * receivers, all at once, measured side by side (goal ≤ 2×); and the statements the outbox adds to
 * a transition (goal: one INSERT).
 */
export async function webhooksBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const receivers = await startReceivers();
  try {
    const workspaceId = await seedEndpoints(db, receivers.urls);
    const config = loadConfig({
      NODE_ENV: 'test',
      JWT_SECRET: 'bench-secret-long-enough',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    const worker = new WebhookDelivery({
      db,
      settings: config.webhooks,
      lifecycle: new DeletionLifecycle(),
      links: new LinkTokens(config.jwtSecret),
      logger: createLogger('silent'),
      publicUrl: () => 'http://127.0.0.1:4000',
    });
    const deletionId = '00000000-0000-4000-8000-000000000001';
    const event = { type: 'ACTIVATED', workspaceId, deletionId, occurredAt: new Date() };
    let statements = 0;
    const deliver = async () => {
      const started = performance.now();
      await db.transaction(async (tx) => {
        const before = db.statementCount;
        await enqueueWebhookEvent(tx, { ...event, occurredAt: new Date() });
        statements = db.statementCount - before;
      });
      const made = await worker.deliverDue(new Date());
      if (made !== ENDPOINTS) throw new Error(`made ${made} attempts, expected ${ENDPOINTS}`);
      return performance.now() - started;
    };
    const bare = async () => {
      const started = performance.now();
      await Promise.all(
        receivers.urls.map(async (url) => {
          const response = await fetch(url, {
            method: 'POST',
            body: '{}',
            headers: { 'content-type': 'application/json' },
          });
          await response.arrayBuffer();
        }),
      );
      return performance.now() - started;
    };
    // Warm both paths (connections, JIT), then alternate rounds and keep each side's median.
    await deliver();
    await bare();
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(await deliver());
      theirs.push(await bare());
    }
    return [
      {
        name: `one event to ${ENDPOINTS} endpoints, delivered (median of ${ROUNDS})`,
        ms: median(ours),
        baselineName: `${ENDPOINTS} bare fetch calls at once`,
        baselineMs: median(theirs),
        goal: { atMost: 2 },
      },
      {
        name: 'statements the outbox adds to a transition',
        ms: statements,
        unit: 'statements',
        baselineName: 'one INSERT',
        baselineMs: 1,
        goal: { valueAtMost: 1 },
      },
    ];
  } finally {
    await receivers.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
