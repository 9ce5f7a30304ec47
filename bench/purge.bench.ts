import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BulkWorkspace, generateBulkData } from '../src/cli/bulk-data';
import { loadConfig } from '../src/config';
import { Database } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { DELETE_BATCH_MAX, FileStore, LocalFileStore } from '../src/domain/files/file-store';
import { createLogger } from '../src/log';
import { DeletionScheduler, SchedulerOptions } from '../src/scheduler/deletion-scheduler';
import { systemClock } from '../src/domain/clock';
import { DeletionService } from '../src/domain/deletion/deletion.service';
import { Role, UserRow } from '../src/domain/domain-types';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { SelectionService } from '../src/domain/deletion/selection.service';
import { startTestS3 } from '../test/support/s3-server';
import { BenchDatabase } from './bench-database';
import { median } from './million-objects';
import { BenchResult } from './run';
import { batchOfSql } from '../src/domain/deletion/batch-membership';

/** Objects of each purged workspace (20% with a file); one per side and round. */
const PURGE_OBJECTS = Number(process.env.BENCH_PURGE_OBJECTS ?? 50_000);
/** On S3 (s3rver on this machine) each file is an HTTP upload to seed: fewer objects per workspace. */
const PURGE_S3_OBJECTS = Number(process.env.BENCH_PURGE_S3_OBJECTS ?? 10_000);
const PURGE_ROUNDS = 3;
/** Objects per transaction, the executor's default (DELETION_CHUNK_SIZE). */
const CHUNK = loadConfig({}).deletionChunkSize;

/**
 * What is timed against the raw deletes: the executor as shipped, and without receipts' records
 * (like with like); with BENCH_BEFORE (a built checkout, see BENCHMARKS.md's method), that build's
 * executor too, both ways, on the same data in the same rounds.
 */
type Side = 'receipts' | 'bare' | 'raw' | 'before receipts' | 'before bare';
/**
 * Goal 4: the executor (scheduler tick: claim, chunks with tombstones, progress, events, file
 * deletes, completion) against raw chunked deletes of the same kind of batch (objects and their
 * attachment rows, DELETE by chunk of the same size, then the files deleted as the store deletes a
 * batch: bounded concurrent unlinks, or one DeleteObjects call on S3). The executor runs as shipped
 * (each chunk records its removed objects for the receipt) and without those records, which the raw
 * deletes do not write either. Sides rotate which goes first; times are per 10,000 objects removed.
 */
export async function purgeBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-purge-'));
  const files = new LocalFileStore(folder);
  try {
    const results = await comparePurges(db, files, PURGE_OBJECTS, 'unlinks');
    const left = readdirSync(folder).flatMap((shard) => readdirSync(path.join(folder, shard)));
    // Tasks not REMOVED or VERIFIED are never marked, so their files stay; nothing else may.
    const expected = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM attachments');
    if (left.length !== expected!.n) throw new Error(`${left.length} files left, ${expected!.n} expected`);
    return results;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Goal 4 on S3 (s3rver over HTTP): the same three sides, the raw side calling DeleteObjects itself. */
export async function purgeS3Bench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const s3 = await startTestS3();
  try {
    const files = await s3.store();
    const results = await comparePurges(db, files, PURGE_S3_OBJECTS, 'DeleteObjects calls of up to 1,000 keys');
    const expected = await db.one<{ n: number }>('SELECT count(*)::int AS n FROM attachments');
    const left = (await s3.keys()).length;
    if (left !== expected!.n) throw new Error(`${left} objects left in the bucket, ${expected!.n} expected`);
    return results;
  } finally {
    await s3.stop();
  }
}

/** PURGE_ROUNDS rounds of the three sides, each on a fresh workspace of `objects`; medians per 10,000 objects. */
async function comparePurges(db: Database, files: FileStore, objects: number, deletes: string): Promise<BenchResult[]> {
  const schedulers: Partial<Record<Side, DeletionScheduler>> = {
    receipts: benchScheduler(db, files),
    bare: benchScheduler(db, files, CHUNK, { recordRemoved: false }),
    ...(await beforeSchedulers(db, files)),
  };
  const sides: Side[] = ['raw', ...(Object.keys(schedulers) as Side[])];
  const workspaces = await purgeableWorkspaces(db, files, sides.length * PURGE_ROUNDS, objects);
  const times = new Map<Side, number[]>(sides.map((side) => [side, []]));
  for (let round = 0; round < PURGE_ROUNDS; round++) {
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(round + i) % sides.length];
      const { objects: removed, deletionId } = await activateAll(db, workspaces.pop()!);
      const start = performance.now();
      if (side === 'raw') await rawPurge(db, files, deletionId);
      else {
        const results = await schedulers[side]!.tick(new Date());
        if (results[0]?.outcome !== 'COMPLETED') throw new Error(`purge ended ${JSON.stringify(results)}`);
      }
      times.get(side)!.push(((performance.now() - start) / removed) * 10_000);
    }
  }
  const baseline = {
    baselineName: `raw chunked DELETEs of objects and attachment rows, then ${deletes}`,
    baselineMs: median(times.get('raw')!),
    // At least the raw speed: at most its time.
    goal: { atMost: 1 },
  };
  const what = `${objects} objects (20% with a file) in chunks of ${CHUNK}, ms per 10,000 objects, median of ${PURGE_ROUNDS}`;
  const figure = (side: Side, name: string): BenchResult[] =>
    times.has(side) ? [{ name: `${name}, ${what}`, ms: median(times.get(side)!), ...baseline }] : [];
  return [
    ...figure('receipts', 'purge: executor as shipped (receipts recorded)'),
    ...figure('bare', "purge: executor without receipts' records (like with like)"),
    ...figure('before receipts', 'before (BENCH_BEFORE): purge: executor as shipped (receipts recorded)'),
    ...figure('before bare', "before (BENCH_BEFORE): purge: executor without receipts' records"),
  ];
}

/** The executor of the BENCH_BEFORE build, as shipped and without receipts' records; none without BENCH_BEFORE. */
async function beforeSchedulers(db: Database, files: FileStore): Promise<Partial<Record<Side, DeletionScheduler>>> {
  const build = process.env.BENCH_BEFORE;
  if (!build) return {};
  const from = (module: string) => path.resolve(build, 'dist', 'src', `${module}.js`);
  const { DeletionScheduler: Before } = (await import(
    from('scheduler/deletion-scheduler')
  )) as typeof import('../src/scheduler/deletion-scheduler');
  const { DeletionLifecycle: Lifecycle } = (await import(
    from('domain/deletion/lifecycle/deletion-lifecycle')
  )) as typeof import('../src/domain/deletion/lifecycle/deletion-lifecycle');
  const { SelectionService: Selection } = (await import(
    from('domain/deletion/selection.service')
  )) as typeof import('../src/domain/deletion/selection.service');
  const scheduler = (recordRemoved: boolean) =>
    new Before({
      db,
      files,
      lifecycle: new Lifecycle(),
      selection: new Selection(db, systemClock),
      clock: systemClock,
      logger: createLogger('warn'),
      intervalMs: 3_600_000,
      chunkSize: CHUNK,
      leaseMs: 60_000,
      recordRemoved,
    });
  return { 'before receipts': scheduler(true), 'before bare': scheduler(false) };
}

/** `count` workspaces of `objects` archived objects each, every fifth with a real file. */
async function purgeableWorkspaces(
  db: Database,
  files: FileStore,
  count: number,
  objects = PURGE_OBJECTS,
): Promise<BulkWorkspace[]> {
  const started = Date.now();
  const workspaces = await generateBulkData(db, files, {
    objects: objects * count,
    workspaces: count,
    largeShare: 1 / count,
  });
  process.stderr.write(`generated ${count} × ${objects} objects in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return workspaces;
}

/** A scheduler as the server runs it, ticked by hand. */
export function benchScheduler(
  db: Database,
  files: FileStore,
  chunkSize = CHUNK,
  options: Partial<SchedulerOptions> = {},
): DeletionScheduler {
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
    ...options,
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
      for (let start = 0; start < row!.keys.length; start += DELETE_BATCH_MAX) {
        const failed = await files.deleteMany(row!.keys.slice(start, start + DELETE_BATCH_MAX));
        if (failed.length > 0) throw new Error(`the store refused ${failed.length} deletes`);
      }
    }
  }
  await db.rows(`UPDATE deletions SET status = 'COMPLETED', completed_at = now() WHERE id = $1`, [deletionId]);
}
