import { ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startApp } from '../src/app';
import { generateBulkData } from '../src/cli/bulk-data';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { BenchDatabase } from './bench-database';
import { ask, ClientsReply } from './fanout-protocol';
import { activateAll } from './purge.bench';
import { BenchResult } from './run';

/** The archive page a browsing admin loads: 50 deals with who archived them and their attachments. */
const BROWSE_PAGE = `query BrowseDuringPurge {
  archivedObjects(type: DEAL, first: 50) {
    edges { node { id title archivedAt archivedBy { name } attachments { fileName sizeBytes } } }
  }
}`;
const BROWSE_CLIENTS = 4;
/** Objects of the purged workspace (rows only: a purge tolerates missing files); 1M is goal 6's figure. */
const PURGED_OBJECTS = Number(process.env.BENCH_PURGE_BROWSE_OBJECTS ?? 200_000);
/** Objects of the browsed workspace: its archive bin is what the page lists. */
const BROWSED_OBJECTS = 50_000;
/** graphql-ws clients subscribed to deletionEvents as admins of the purged workspace while it is purged. */
const SUBSCRIBERS = 1_000;
const SUBSCRIPTION = `subscription { deletionEvents { type occurredAt
  deletion { id status total { count bytes } done { count bytes } byType { type volume { count } } } } }`;
/** The idle window: long enough for thousands of page loads, so its p99 is not one outlier. */
const IDLE_MS = Number(process.env.BENCH_PURGE_BROWSE_IDLE_MS ?? 30_000);

/**
 * Goal 6: the browse page's p99 over HTTP (a real server, BROWSE_CLIENTS clients loading it back
 * to back) while the server's own scheduler purges PURGED_OBJECTS of another workspace of the same
 * database and SUBSCRIBERS admins of it are subscribed (each receives every PROGRESS, one per
 * chunk), against the same load with nothing else running (no purge, no subscriber), measured
 * first, right after the activation. The subscribers are graphql-ws clients in a child process
 * (bench/fanout-clients.ts), so their CPU is not the server's; they share one admin's token, which
 * costs the server what distinct admins would (subscribers are grouped by role and workspace).
 */
export async function purgeBrowseBench({ url }: BenchDatabase): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-browse-'));
  const config = loadConfig({
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    JWT_SECRET: 'bench-secret-that-is-long-enough',
    LOG_LEVEL: 'silent',
    SCHEDULER_INTERVAL: '1h',
  });
  const app = await startApp(config, createLogger('silent'));
  const clients = fork(path.join(__dirname, 'fanout-clients.js'));
  try {
    const { db, files, auth } = app.services;
    const started = Date.now();
    const [purged, browsed] = await generateBulkData(db, files, {
      objects: PURGED_OBJECTS + BROWSED_OBJECTS,
      workspaces: 2,
      largeShare: PURGED_OBJECTS / (PURGED_OBJECTS + BROWSED_OBJECTS),
      files: 'rows-only',
    });
    const { objects } = await activateAll(db, purged);
    process.stderr.write(
      `generated and activated ${objects} objects in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
    );
    const token = auth.sign(browsed.adminId);
    const load = (during: () => Promise<unknown>) => browseWhile(app.server.url, token, during);
    await load(() => delay(2_000)); // warm-up: plans, pools, JIT
    const idle = await load(() => delay(IDLE_MS));
    const subscribers = await subscribe(clients, app.server.url, `Bearer ${auth.sign(purged.adminId)}`);
    let purgeMs = 0;
    const busy = await load(async () => {
      const start = performance.now();
      const [result] = await app.scheduler.tick(new Date());
      if (result?.outcome !== 'COMPLETED') throw new Error(`purge ended ${JSON.stringify(result)}`);
      purgeMs = performance.now() - start;
    });
    const { live, frames } = await ask<ClientsReply, 'live'>(clients, { cmd: 'live', kind: 'ours' }, 'live');
    if (live !== subscribers) throw new Error(`${live} of ${subscribers} subscribers received events`);
    return [
      {
        name:
          `purge-browse: browse page p99 while ${objects} objects are purged (${(purgeMs / 1000).toFixed(0)} s) ` +
          `and ${subscribers} admins are subscribed (${frames} events delivered); ${busy.length} requests, ${BROWSE_CLIENTS} clients`,
        ms: percentile(busy, 0.99),
        baselineName: `idle p99 (${idle.length} requests in ${IDLE_MS / 1000} s, no purge, no subscriber)`,
        baselineMs: percentile(idle, 0.99),
        goal: { atMost: 2 },
      },
    ];
  } finally {
    clients.kill('SIGKILL');
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Opens SUBSCRIBERS subscriptions of `token`'s admin over one second; resolves with how many were acknowledged. */
async function subscribe(clients: ChildProcess, url: string, token: string): Promise<number> {
  const wsUrl = url.replace(/^http/, 'ws');
  const command = {
    cmd: 'connect',
    kind: 'ours',
    url: wsUrl,
    token,
    query: SUBSCRIPTION,
    count: SUBSCRIBERS,
    overMs: 1_000,
  } as const;
  const { connected } = await ask<ClientsReply, 'connected'>(clients, command, 'connected');
  if (connected.acked !== SUBSCRIBERS) throw new Error(`subscribers: ${JSON.stringify(connected)}`);
  return connected.acked;
}

/** Latencies of the browse page loaded by BROWSE_CLIENTS clients back to back until `during` settles. */
async function browseWhile(url: string, token: string, during: () => Promise<unknown>): Promise<number[]> {
  let running = true;
  const latencies: number[] = [];
  const client = async () => {
    while (running) {
      const start = performance.now();
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: BROWSE_PAGE }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || body.errors) throw new Error(`browse page failed: ${JSON.stringify(body)}`);
      latencies.push(performance.now() - start);
    }
  };
  const clients = Array.from({ length: BROWSE_CLIENTS }, client);
  try {
    await during();
  } finally {
    running = false;
  }
  await Promise.all(clients);
  return latencies;
}

function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))];
}
