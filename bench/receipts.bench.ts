import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { Database } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { FileStore, LocalFileStore } from '../src/domain/files/file-store';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { defaultReceiptIssuer, receiptEffect } from '../src/domain/receipts/receipt-issuer';
import { SelectionService } from '../src/domain/deletion/selection.service';
import { systemClock } from '../src/domain/clock';
import { createLogger } from '../src/log';
import { summariseRemoved } from '../src/domain/receipts/removed-batches';
import { RemovedFold } from '../src/domain/receipts/removed-fold';
import { LeafHashThread } from '../src/domain/receipts/leaf-hash-thread';
import { LeafSink } from '../src/domain/receipts/leaf-sink';
import { DeletionScheduler } from '../src/scheduler/deletion-scheduler';
import { createDueDeletion, seedArchivedObjects } from '../test/support/executor-fixtures';
import { BenchDatabase } from './bench-database';
import { median } from './million-objects';
import { BenchResult } from './run';

const PER_TYPE = Number(process.env.RECEIPTS_BENCH_PER_TYPE ?? 14_286); // ≈ 100,000 objects over the seven types
/** Executor rounds (each: with and without receipts); 0 measures memory only. */
const ROUNDS = Number(process.env.RECEIPTS_BENCH_ROUNDS ?? 6);
const CHUNK = 1_000;
/** Leaf counts of the memory figure: the receipt's pass over 100k, 300k and 1M removed refs. */
const MEMORY_SIZES = (process.env.RECEIPTS_BENCH_SIZES ?? '100000,300000,1000000').split(',').map(Number);

/**
 * Issue 23's budget: a receipt adds ≤ 5% to the executor's time at 100k objects, and its memory
 * stays flat from 100k to 1M. Executes a ~100k-object deletion with receipts (the removed refs
 * recorded by each chunk, the receipt built and signed at the end) and without, in ROUNDS rounds
 * (medians); then builds receipts over 100k, 300k and 1M recorded refs and samples the heap.
 */
export async function receiptsBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-files-'));
  const files = new LocalFileStore(folder);
  try {
    const sides: Side[] = process.env.RECEIPTS_BENCH_PARTS ? [...SIDES, ...PARTS] : [...SIDES];
    const times = new Map<Side, number[]>(sides.map((side) => [side, []]));
    const ratios = new Map<Side, number[]>(sides.map((side) => [side, []]));
    let objects = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Which side goes first rotates, so a machine that slows down or speeds up favours none.
      const ms = new Map<Side, number>();
      for (let i = 0; i < sides.length; i++) {
        const side = sides[(round + i) % sides.length];
        const run = await executeOnce(db, files, side, `r${round}-${i}`);
        objects = run.count;
        ms.set(side, run.ms);
        times.get(side)!.push(run.ms);
        process.stderr.write(`  ${run.count} objects, ${side}: ${Math.round(run.ms)} ms\n`);
      }
      for (const side of sides) ratios.get(side)!.push(ms.get(side)! / ms.get('without receipts')!);
    }
    const results: BenchResult[] = [];
    for (const side of ROUNDS === 0 ? [] : sides.filter((side) => side !== 'without receipts')) {
      const own = ratios.get(side)!;
      process.stderr.write(`  ${side} ÷ without, per round: ${own.map((r) => r.toFixed(2)).join(' ')}\n`);
      results.push({
        name: `execute ${objects} objects, ${side} (median of ${ROUNDS}; ratio: median of the rounds' own)`,
        ms: median(times.get(side)!),
        baselineName: 'without receipts',
        baselineMs: median(times.get(side)!) / median(own),
        ...(side === 'with receipts' ? { goal: { atMost: 1.05 } } : {}),
      });
    }
    const peaks: number[] = [];
    for (const n of MEMORY_SIZES) {
      const peak = await receiptHeapPeak(db, n);
      peaks.push(peak);
      process.stderr.write(`  receipt over ${n} refs: heap peak +${peak.toFixed(1)} MB\n`);
    }
    results.push({
      name: `receipt heap peak at ${MEMORY_SIZES.at(-1)} refs`,
      ms: peaks.at(-1)!,
      unit: 'MB',
      baselineName: `at ${MEMORY_SIZES[0]} refs`,
      baselineMs: peaks[0],
      goal: { valueAtMost: 64 },
    });
    return results;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The executor as shipped, and without receipts (nothing recorded, nothing folded): the goal's two sides. */
const SIDES = ['with receipts', 'without receipts'] as const;
/**
 * With RECEIPTS_BENCH_PARTS set, where the difference goes: recording the ids alone (no fold, no
 * receipt); everything but the hashing (the fold's thread replaced by one that only counts); and
 * the executor without receipts beside a thread of this process that hashes something else all
 * the time: what any CPU work beside the executor costs it on this machine.
 */
const PARTS = ['records only', 'receipts without hashing', 'without receipts, beside a busy thread'] as const;
type Side = (typeof SIDES)[number] | (typeof PARTS)[number];

/** A stand-in for the hashing thread that hashes nothing: its root is no root, only its leaf count is right. */
const countingThread = {
  sink(): LeafSink {
    let size = 0;
    return {
      push: async (_type, ids) => void (size += ids.length),
      root: async () => ({ root: Buffer.alloc(32), size }),
      discard: () => undefined,
    };
  },
} as unknown as LeafHashThread;

/** Seeds a ~100k-object deletion (one file per hundredth object) and executes it; the execution's time. */
async function executeOnce(db: Database, files: FileStore, side: Side, label: string) {
  const workspace = await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`);
  const user = await db.one<{ id: string }>(
    `INSERT INTO users (workspace_id, name, email, role) VALUES ($1, 'bench', $2, 'ADMIN') RETURNING id`,
    [workspace!.id, `bench-${label}@bench.test`],
  );
  const options = { workspaceId: workspace!.id, userId: user!.id, perType: PER_TYPE, fileEvery: 100, fileBytes: 256 };
  const refs = await seedArchivedObjects(db, files, options);
  await createDueDeletion(db, workspace!.id, user!.id, refs, new Date(Date.now() - 1_000));
  // Each round deletes ~100k rows; without a VACUUM (autovacuum may be off, or late) every later round reads more
  // dead rows and runs slower, whichever side it times.
  await db.rows(`VACUUM (ANALYZE) ${OBJECT_TABLES.map((t) => t.table).join(', ')}, attachments, deletion_removed`);
  // With receipts: as the app runs (each chunk records its refs, the executor folds them, the effect issues the
  // receipt in the COMPLETED transaction); without: no effect, nothing recorded.
  const receipts = side === 'with receipts' || side === 'receipts without hashing';
  const hashing = side === 'with receipts' ? LeafHashThread.startIfBuilt() : undefined;
  const fold = receipts
    ? new RemovedFold(db, side === 'receipts without hashing' ? countingThread : hashing)
    : undefined;
  const busy = side === 'without receipts, beside a busy thread' ? busyThread() : undefined;
  const scheduler = new DeletionScheduler({
    db,
    files,
    lifecycle: new DeletionLifecycle(receipts ? [receiptEffect(defaultReceiptIssuer(files, undefined, fold))] : []),
    recordRemoved: receipts || side === 'records only',
    removedFold: fold,
    selection: new SelectionService(db, systemClock),
    clock: systemClock,
    logger: createLogger('warn'),
    intervalMs: 3_600_000,
    chunkSize: CHUNK,
    leaseMs: 60_000,
  });
  const start = process.hrtime.bigint();
  const results = await scheduler.tick(new Date()).finally(() => Promise.all([hashing?.close(), busy?.terminate()]));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (results.length !== 1 || results[0].outcome !== 'COMPLETED')
    throw new Error(`unexpected: ${JSON.stringify(results)}`);
  return { ms, count: refs.length };
}

/** A thread of this process that hashes in a loop until terminated. */
function busyThread(): Worker {
  const code = `const { createHash } = require('node:crypto'); for (;;) createHash('sha256').update('busy').digest();`;
  return new Worker(code, { eval: true });
}

/**
 * Records `n` removed refs for a made-up deletion in batches of 1,000 as the executor does (ids of
 * no row, so the survivor check looks each up and finds nothing), rebuilds the receipt's summary
 * over them (the path after a crash) and returns the live heap's peak growth in MB (collected and
 * sampled every 100 ms); a full list of ids would grow with n (1M uuids ≈ 100 MB as strings).
 */
async function receiptHeapPeak(db: Database, n: number): Promise<number> {
  const deletionId = randomUUID();
  await db.rows(
    `INSERT INTO deletion_removed (deletion_id, object_type, ids, bytes, files)
     SELECT $1, (ARRAY['CONTACT','ACTIVITY','OBJECT','DEAL','TASK','EMAIL','CALL'])[1 + b % 7],
       ARRAY(SELECT gen_random_uuid() FROM generate_series(1, least(1000, $2 - b * 1000)) WHERE b >= 0), 0, 0
     FROM generate_series(0, ($2 - 1) / 1000) b`,
    [deletionId, n],
  );
  await db.rows('ANALYZE deletion_removed');
  // The live heap, not garbage waiting for a collection: collect, then read, every 100 ms.
  const gc = liveGc();
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  const sampler = setInterval(() => {
    gc();
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }, 100);
  try {
    const summary = await db.transaction((tx) => summariseRemoved(tx, deletionId, randomBytes(32)));
    if (summary.leafCount !== n) throw new Error(`summarised ${summary.leafCount} of ${n}`);
  } finally {
    clearInterval(sampler);
  }
  await db.rows('DELETE FROM deletion_removed WHERE deletion_id = $1', [deletionId]);
  return (peak - base) / 1024 / 1024;
}

/** A full garbage collection on demand, without starting node with --expose-gc. */
function liveGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
