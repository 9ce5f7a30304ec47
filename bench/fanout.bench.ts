import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { DeletionEventType, publishDeletionEvent } from '../src/services/deletion-events';
import { BenchDatabase, medianMs } from './bench-database';
import { Countdown } from './events.bench';
import { BenchResult } from './run';

const SUBSCRIBERS = 200;
const EVENTS = 15;
const SUBSCRIPTION = `subscription { deletionEvents { type occurredAt actor { id name }
  deletion { id status activatedBy { name } total { count bytes } done { count bytes } byType { type volume { count } } } } }`;

/**
 * The whole path of issue 5 on one real server: NOTIFY at commit → the process's LISTEN
 * connection → pub/sub → the deletionEvents resolver (the deletion read once per message, the
 * subscribers' roles in one batch) → graphql-ws → real WebSocket clients. Measured: one event's
 * commit until every subscriber has it, median of EVENTS; per subscriber, 200 against 1, which
 * shows what sharing the per-message work saves as subscribers are added.
 */
export async function fanoutBench({ db, url }: BenchDatabase): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-files-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-long-enough',
    SCHEDULER_INTERVAL: '1h',
    LOG_LEVEL: 'silent',
  });
  const app = await startApp(config, createLogger('silent'));
  try {
    const workspace = (await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`))!;
    const admin = (await db.one<{ id: string }>(
      `INSERT INTO users (workspace_id, name, email, role) VALUES ($1, 'Bench Admin', 'bench@admin.test', 'ADMIN') RETURNING id`,
      [workspace.id],
    ))!;
    const deletion = (await db.one<{ id: string }>(
      `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after)
       VALUES ($1, 'CANCELLED', now(), $2, now()) RETURNING id`,
      [workspace.id, admin.id],
    ))!;
    await db.rows(
      `INSERT INTO deletion_type_volumes (deletion_id, object_type, count, bytes) VALUES ($1, 'DEAL', 3, 300)`,
      [deletion.id],
    );
    const publishOne = () =>
      db.transaction((tx) =>
        publishDeletionEvent(tx, {
          type: DeletionEventType.PROGRESS,
          workspaceId: workspace.id,
          deletionId: deletion.id,
          actorId: admin.id,
          occurredAt: new Date().toISOString(),
        }),
      );
    const wsUrl = app.server.url.replace(/^http/, 'ws');
    const token = `Bearer ${app.services.auth.sign(admin.id)}`;
    const measure = (count: number) => deliveryMs(wsUrl, token, count, publishOne);
    const one = await measure(1);
    const many = await measure(SUBSCRIBERS);
    return [
      {
        name: `one event to ${SUBSCRIBERS} graphql-ws subscribers (all in ${many.toFixed(1)} ms), per subscriber`,
        ms: many / SUBSCRIBERS,
        baselineName: 'to 1 subscriber',
        baselineMs: one,
      },
    ];
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Median time from one event's commit until `count` subscribed clients all received it. */
async function deliveryMs(wsUrl: string, token: string, count: number, publishOne: () => Promise<void>) {
  const countdown = new Countdown();
  const seen = new Set<number>();
  const clients: WsClient[] = Array.from({ length: count }, (_, i) => {
    const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: token } });
    client.subscribe(
      { query: SUBSCRIPTION },
      {
        next: () => {
          seen.add(i);
          countdown.tick();
        },
        error: (error) => process.stderr.write(`subscription failed: ${JSON.stringify(error)}\n`),
        complete: () => undefined,
      },
    );
    return client;
  });
  try {
    // Subscriptions go live asynchronously: publish until every client has had one event.
    while (seen.size < count) {
      void countdown.arm(Number.MAX_SAFE_INTEGER);
      await publishOne();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    return await medianMs(EVENTS, async () => {
      const all = countdown.arm(count);
      await publishOne();
      await all;
    });
  } finally {
    await Promise.all(clients.map((client) => client.dispose()));
  }
}
