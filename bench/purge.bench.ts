import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BulkWorkspace, generateBulkData } from '../src/cli/bulk-data';
import { loadConfig } from '../src/config';
import { Database } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { forEachBounded } from '../src/domain/files/bounded-concurrency';
import { FILE_REMOVALS_IN_FLIGHT, FileStore, LocalFileStore } from '../src/domain/files/file-store';
import { createLogger } from '../src/log';
import { DeletionScheduler } from '../src/scheduler/deletion-scheduler';
import { systemClock } from '../src/domain/clock';
import { DeletionService } from '../src/domain/deletion/deletion.service';
import { Role, UserRow } from '../src/domain/domain-types';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { SelectionService } from '../src/domain/deletion/selection.service';
import { BenchDatabase } from './bench-database';
import { median } from './million-objects';
import { BenchResult } from './run';
import { batchOfSql } from '../src/domain/deletion/batch-membership';

/** Objects of each purged workspace (20% with a file); one per side and round. */
const PURGE_OBJECTS = Number(process.env.BENCH_PURGE_OBJECTS ?? 50_000);
const PURGE_ROUNDS = 3;
/** Objects per transaction, the executor's default (DELETION_CHUNK_SIZE). */
const CHUNK = loadConfig({}).deletionChunkSize;

/**
 * Goal 5: the executor (scheduler tick: claim, chunks with tombstones, progress, events, file
 * unlinks, completion) against raw chunked deletes of the same kind of batch (objects and their
 * attachment rows, DELETE by chunk of the same size, then the files unlinked as many at once as
 * the executor does), alternating which goes first. Times are per 10,000 objects removed.
 */
export async function purgeBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-purge-'));
  const files = new LocalFileStore(folder);
  try {
    const workspaces = await purgeableWorkspaces(db, files, 2 * PURGE_ROUNDS);
    const scheduler = benchScheduler(db, files);
    const ours: number[] = [];
    const raw: number[] = [];
    for (let round = 0; round < PURGE_ROUNDS; round++) {
      const [a, b] = workspaces.slice(2 * round, 2 * round + 2);
      const runOurs = async (ws: BulkWorkspace) => {
        const { objects } = await activateAll(db, ws);
        const start = performance.now();
        const results = await scheduler.tick(new Date());
        if (results[0]?.outcome !== 'COMPLETED') throw new Error(`purge ended ${JSON.stringify(results)}`);
        ours.push(((performance.now() - start) / objects) * 10_000);
      };
      const runRaw = async (ws: BulkWorkspace) => {
        const { objects, deletionId } = await activateAll(db, ws);
        const start = performance.now();
        await rawPurge(db, files, deletionId);
        raw.push(((performance.now() - start) / objects) * 10_000);
      };
      if (round % 2) {
        await runRaw(a);
        await runOurs(b);
      } else {
        await runOurs(a);
        await runRaw(b);
      }
    }
    const left = readdirSync(folder).flatMap((shard) => readdirSync(path.join(folder, shard)));
    // Tasks not REMOVED or VERIFIED are never marked, so their files stay; nothing else may.
    const expected = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM attachments');
    if (left.length !== expected!.n) throw new Error(`${left.length} files left, ${expected!.n} expected`);
    return [
      {
        name: `purge: executor, ${PURGE_OBJECTS} objects (20% with a file) in chunks of ${CHUNK}, ms per 10,000 objects, median of ${PURGE_ROUNDS}`,
        ms: median(ours),
        baselineName: 'raw chunked DELETEs of objects and attachment rows, then the unlinks',
        baselineMs: median(raw),
        // At least 0.8× the raw speed: at most 1 / 0.8 = 1.25× its time.
        goal: { atMost: 1.25 },
      },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** `count` workspaces of PURGE_OBJECTS archived objects each, every fifth with a real file. */
export async function purgeableWorkspaces(db: Database, files: FileStore, count: number): Promise<BulkWorkspace[]> {
  const started = Date.now();
  const workspaces = await generateBulkData(db, files, {
    objects: PURGE_OBJECTS * count,
    workspaces: count,
    largeShare: 1 / count,
  });
  process.stderr.write(
    `generated ${count} × ${PURGE_OBJECTS} objects in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
  );
  return workspaces;
}

/** A scheduler as the server runs it, ticked by hand. */
export function benchScheduler(db: Database, files: FileStore, chunkSize = CHUNK): DeletionScheduler {
  return new DeletionScheduler({
    db,
    files,
    lifecycle: new DeletionLifecycle(),
    selection: new SelectionService(db, systemClock),
    clock: systemClock,
    logger: createLogger('warn'),
    intervalMs: 3_600_000,
    chunkSize,
    leaseMs: 60_000,
  });
}

/** Marks every archived object of the workspace, activates, and makes the deletion due, through the services. */
export async function activateAll(db: Database, ws: BulkWorkspace): Promise<{ deletionId: string; objects: number }> {
  const admin: UserRow = { id: ws.adminId, workspaceId: ws.id, name: 'a', email: 'a', role: Role.ADMIN };
  await new SelectionService(db, systemClock).mark(admin, { filter: {} });
  const config = loadConfig({});
  const deletion = await new DeletionService(db, config, systemClock, new DeletionLifecycle()).activate(admin);
  const row = await db.one<{ objects: number }>(
    `WITH due AS (UPDATE deletions SET execute_after = now() - interval '1 second' WHERE id = $1)
     SELECT sum(count)::int AS objects FROM deletion_type_volumes WHERE deletion_id = $1`,
    [deletion.id],
  );
  await db.rows(`ANALYZE ${OBJECT_TABLES.map((t) => t.table).join(', ')}, attachments`);
  return { deletionId: deletion.id, objects: row!.objects };
}

/** The removal alone: per table, chunks of CHUNK objects with their attachment rows, then their files. */
async function rawPurge(db: Database, files: FileStore, deletionId: string): Promise<void> {
  for (const { table, type } of OBJECT_TABLES) {
    for (let removed = CHUNK; removed === CHUNK;) {
      const row = await db.one<{ removed: number; keys: string[] }>(
        `WITH picked AS (SELECT id FROM ${table} WHERE ${batchOfSql('$1::uuid')} LIMIT $2),
         gone_files AS (DELETE FROM attachments a USING picked p WHERE a.object_id = p.id AND a.object_type = $3
                        RETURNING a.storage_key),
         gone AS (DELETE FROM ${table} t USING picked p WHERE t.id = p.id RETURNING 1)
         SELECT (SELECT count(*) FROM gone)::int AS removed,
           (SELECT coalesce(array_agg(storage_key), '{}') FROM gone_files) AS keys`,
        [deletionId, CHUNK, type],
      );
      removed = row!.removed;
      await forEachBounded(row!.keys, FILE_REMOVALS_IN_FLIGHT, (key) => files.delete(key));
    }
  }
  await db.rows(`UPDATE deletions SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [deletionId]);
}
