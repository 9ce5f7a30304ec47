import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BulkWorkspace, generateBulkData } from '../src/cli/bulk-data';
import { Database, Sql } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { LocalFileStore } from '../src/domain/files/file-store';
import { Role, UserRow } from '../src/domain/domain-types';

/** Objects of the 1M benches, all archived, in one workspace (a filter or an activation takes them all). */
export const MILLION = Number(process.env.BENCH_MILLION ?? 1_000_000);
/**
 * Interleaved rounds of the 1M benches. Each round writes a million rows four times (a minute or more
 * apiece on 2 shared cores), so the whole `npm run bench` keeps one round; BENCHMARKS.md's figures
 * were taken with BENCH_MILLION_ROUNDS=3 (medians).
 */
export const MILLION_ROUNDS = Number(process.env.BENCH_MILLION_ROUNDS ?? 1);

/** One workspace of MILLION archived objects (rows only: these benches never read files), and its admin. */
export async function millionObjects(db: Database): Promise<{ workspace: BulkWorkspace; admin: UserRow }> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-1m-'));
  try {
    const started = Date.now();
    const [workspace] = await generateBulkData(db, new LocalFileStore(folder), {
      objects: MILLION,
      workspaces: 1,
      files: 'rows-only',
    });
    process.stderr.write(`generated ${MILLION} objects in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    const admin: UserRow = {
      id: workspace.adminId,
      workspaceId: workspace.id,
      name: 'a',
      email: 'a',
      role: Role.ADMIN,
    };
    return { workspace, admin };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Clears the dead row versions a round left, so every round starts from the same tables. */
export async function vacuumObjects(db: Database): Promise<void> {
  await db.rows(`VACUUM (ANALYZE) ${OBJECT_TABLES.map((t) => t.table).join(', ')}, type_stats`);
}

/**
 * A Database over the same pool that records how long row locks may have been held: a whole
 * transaction, or one statement of a session (each of those commits on its own).
 */
export class LockTimer extends Database {
  longestMs = 0;

  constructor(db: Database) {
    super(db.dataSource);
  }

  override async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.timed(() => super.transaction(work));
  }

  override session<T>(work: (session: Sql) => Promise<T>): Promise<T> {
    return super.session((session) =>
      work({
        rows: (text, params) => this.timed(() => session.rows(text, params)),
        one: (text, params) => this.timed(() => session.one(text, params)),
      }),
    );
  }

  private async timed<T>(work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.longestMs = Math.max(this.longestMs, performance.now() - start);
    }
  }
}

/**
 * MILLION_ROUNDS rounds of `ours` and `raw`, alternating which goes first (a machine that slows
 * down during the run then weighs on both), each followed by `reset` and a vacuum of the tables.
 */
export async function interleaved(
  db: Database,
  ours: () => Promise<void>,
  raw: () => Promise<void>,
  reset: () => Promise<unknown>,
): Promise<void> {
  for (let round = 0; round < MILLION_ROUNDS; round++) {
    for (const run of round % 2 ? [raw, ours] : [ours, raw]) {
      await run();
      await reset();
      await vacuumObjects(db);
    }
  }
}

/** Milliseconds `work` took. */
export async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
