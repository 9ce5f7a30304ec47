import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { Database } from '../src/database/database';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { migrate } from '../src/database/migrate';

/** A migrated throw-away database for one benchmark run: on DATABASE_URL's server, or embedded. */
export interface BenchDatabase {
  db: Database;
  url: string;
  close(): Promise<void>;
}

export async function openBenchDatabase(): Promise<BenchDatabase> {
  let adminUrl = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!adminUrl) {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-'));
    chmodSync(parent, 0o755);
    const embedded = await startEmbeddedPostgres({
      dataFolder: path.join(parent, 'pg'),
      persistent: false,
      databaseName: 'postgres',
      log: (message) => process.stderr.write(`${message}\n`),
    });
    adminUrl = embedded.url;
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(parent, { recursive: true, force: true });
    };
  }
  const name = `crm_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = await Database.connect(url.toString(), 10);
  await migrate(db.dataSource);
  return {
    db,
    url: url.toString(),
    close: async () => {
      await db.close();
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
      await stopEmbedded?.();
    },
  };
}

/** Median wall time in milliseconds of `runs` calls of `work`, after one warm-up call. */
export async function medianMs(runs: number, work: () => Promise<unknown>): Promise<number> {
  await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

/** The middle value (the upper one of an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
