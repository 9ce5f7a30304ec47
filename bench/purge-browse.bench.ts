import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { BenchDatabase } from './bench-database';
import { activateAll, purgeableWorkspaces } from './purge.bench';
import { BenchResult } from './run';

/** The archive page a browsing admin loads: 50 deals with who archived them and their attachments. */
const BROWSE_PAGE = `query BrowseDuringPurge {
  archivedObjects(type: DEAL, first: 50) {
    edges { node { id title archivedAt archivedBy { name } attachments { fileName sizeBytes } } }
  }
}`;
const BROWSE_CLIENTS = 4;
const PURGES = 2;

/**
 * Goal 5: the browse page's p99 over HTTP (a real server, BROWSE_CLIENTS clients loading it back
 * to back) while the server's own scheduler purges another workspace of the same database, against
 * the same load with nothing else running, for as long as the purge before it took. Idle and purge
 * windows alternate.
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
  try {
    const [browsed, ...purged] = await purgeableWorkspaces(app.services.db, app.services.files, 1 + PURGES);
    const token = app.services.auth.sign(browsed.adminId);
    const load = (during: () => Promise<unknown>) => browseWhile(app.server.url, token, during);
    await load(() => delay(2_000)); // warm-up: plans, pools, JIT
    const idle: number[] = [];
    const busy: number[] = [];
    let windowMs = 5_000;
    for (const workspace of purged) {
      await activateAll(app.services.db, workspace);
      idle.push(...(await load(() => delay(windowMs))));
      const start = performance.now();
      busy.push(
        ...(await load(async () => {
          const [result] = await app.scheduler.tick(new Date());
          if (result?.outcome !== 'COMPLETED') throw new Error(`purge ended ${JSON.stringify(result)}`);
        })),
      );
      windowMs = performance.now() - start;
    }
    return [
      {
        name: `purge-browse: browse page p99 during a purge (${busy.length} requests, ${BROWSE_CLIENTS} clients)`,
        ms: percentile(busy, 0.99),
        baselineName: `idle p99 (${idle.length} requests)`,
        baselineMs: percentile(idle, 0.99),
        goal: { atMost: 2 },
      },
    ];
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
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
