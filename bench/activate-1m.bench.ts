import { loadConfig } from '../src/config';
import { Database } from '../src/database/database';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { systemClock } from '../src/domain/clock';
import { DeletionService } from '../src/domain/deletion/deletion.service';
import { UserRow } from '../src/domain/domain-types';
import { DeletionLifecycle } from '../src/domain/deletion/lifecycle/deletion-lifecycle';
import { BenchDatabase } from './bench-database';
import { rawMark } from './mark-1m.bench';
import {
  elapsedMs,
  interleaved,
  LockTimer,
  median,
  MILLION,
  MILLION_ROUNDS,
  millionObjects,
  vacuumObjects,
} from './million-objects';
import { BenchResult } from './run';

/**
 * Issue 25, goal 2: activating and cancelling a selection of a million marked objects. Activation
 * freezes the selection's generation and the counters (batch-membership.ts), cancel hands them
 * back: neither writes an object row. The baseline is what both did before, measured in the same
 * run on the same rows: one UPDATE writing every marked row in one transaction (the freeze, then
 * the return to the selection), alternating which goes first. The longest transaction of our
 * activate and cancel is reported against the goal of at most a second.
 */
export async function activate1mBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const { admin } = await millionObjects(db);
  await rawMark(db, admin);
  await vacuumObjects(db);
  const timer = new LockTimer(db);
  const deletions = new DeletionService(timer, loadConfig({}), systemClock, new DeletionLifecycle());
  const ours = { activate: [] as number[], cancel: [] as number[] };
  const raw = { activate: [] as number[], cancel: [] as number[] };
  let longestMs = 0;
  let frozen = 0;
  const runOurs = async () => {
    timer.longestMs = 0;
    let id = '';
    ours.activate.push(await elapsedMs(async () => (id = (await deletions.activate(admin)).id)));
    frozen = await frozenCount(db, id);
    ours.cancel.push(await elapsedMs(() => deletions.cancel(admin, id)));
    longestMs = Math.max(longestMs, timer.longestMs);
  };
  const runRaw = async () => {
    raw.activate.push(await elapsedMs(() => rewriteMarked(db, admin)));
    raw.cancel.push(await elapsedMs(() => rewriteMarked(db, admin)));
  };
  // Our cancel puts the selection back as it was, and the raw UPDATE changes no value: nothing to reset.
  await interleaved(db, runOurs, runRaw, async () => undefined);
  const size = `${frozen} of ${MILLION} objects, median of ${MILLION_ROUNDS}`;
  const baseline = 'one UPDATE writing every marked row (what it did before)';
  return [
    {
      name: `activate-1m: activateDeletion of a selection of ${size}`,
      ms: median(ours.activate),
      baselineName: baseline,
      baselineMs: median(raw.activate),
      goal: { atMost: 0.01 },
    },
    {
      name: `activate-1m: cancelDeletion of a deletion of ${size}`,
      ms: median(ours.cancel),
      baselineName: baseline,
      baselineMs: median(raw.cancel),
      goal: { atMost: 0.01 },
    },
    {
      name: 'activate-1m: longest transaction (row locks held) while activating or cancelling',
      ms: longestMs,
      baselineName: 'the UPDATE writing every marked row (one transaction)',
      baselineMs: Math.max(...raw.activate, ...raw.cancel),
      goal: { valueAtMost: 1_000 },
    },
  ];
}

/** The frozen total of a deletion, from its per-type volumes. */
async function frozenCount(db: Database, deletionId: string): Promise<number> {
  const row = await db.one<{ n: number }>(
    'SELECT coalesce(sum(count), 0)::int AS n FROM deletion_type_volumes WHERE deletion_id = $1',
    [deletionId],
  );
  return row!.n;
}

/**
 * The row writes of the old activation (and of the old cancel): every marked row of the workspace
 * written once, in one transaction. Setting a column to itself writes a new row version as setting
 * deletion_id did, and changes no value, so it needs no reset; it may skip the index entries the
 * old one wrote (a HOT update where the page has room), so it is a lower bound of the old cost.
 */
async function rewriteMarked(db: Database, admin: UserRow): Promise<void> {
  await db.transaction(async (tx) => {
    for (const { table } of OBJECT_TABLES) {
      await tx.rows(
        `UPDATE ${table} SET mark_generation = mark_generation WHERE workspace_id = $1 AND marked_at IS NOT NULL`,
        [admin.workspaceId],
      );
    }
  });
}
