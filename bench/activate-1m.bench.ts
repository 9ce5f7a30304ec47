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
 * Goal 4: activating a selection of a million objects against the raw UPDATE that freezes the
 * same rows (a deletion row, then deletion_id set per table, one transaction), alternating which
 * goes first. Activation stays one transaction (see docs/write-paths.md), so its
 * longest transaction is the whole activation; it is reported beside the raw one.
 */
export async function activate1mBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const { admin } = await millionObjects(db);
  await rawMark(db, admin);
  await vacuumObjects(db);
  const timer = new LockTimer(db);
  const deletions = new DeletionService(timer, loadConfig({}), systemClock, new DeletionLifecycle());
  const ours: number[] = [];
  const raw: number[] = [];
  let longestMs = 0;
  let frozen = 0;
  const runOurs = async () => {
    timer.longestMs = 0;
    let id = '';
    ours.push(await elapsedMs(async () => (id = (await deletions.activate(admin)).id)));
    longestMs = Math.max(longestMs, timer.longestMs);
    frozen = await unfreeze(db, id);
  };
  const runRaw = async () => {
    let id = '';
    raw.push(await elapsedMs(async () => (id = await rawActivate(db, admin))));
    await unfreeze(db, id);
  };
  // Each run puts its rows back into the selection itself (unfreeze), so nothing is left to reset.
  await interleaved(db, runOurs, runRaw, async () => undefined);
  return [
    {
      name: `activate-1m: activateDeletion of a selection of ${frozen} of ${MILLION} objects, median of ${MILLION_ROUNDS}`,
      ms: median(ours),
      baselineName: 'the raw UPDATE freezing the same rows',
      baselineMs: median(raw),
      goal: { atMost: 1.5 },
    },
    {
      name: 'activate-1m: longest transaction (row locks held) while activating',
      ms: longestMs,
      baselineName: 'the raw UPDATE (one transaction)',
      baselineMs: median(raw),
      goal: { valueAtMost: 5_000 },
    },
  ];
}

/** A PENDING deletion row and deletion_id on every marked row, in one transaction. */
async function rawActivate(db: Database, admin: UserRow): Promise<string> {
  return db.transaction(async (tx) => {
    const deletion = await tx.one<{ id: string }>(
      `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after)
       VALUES ($1, 'PENDING', now(), $2, now() + interval '7 days') RETURNING id`,
      [admin.workspaceId, admin.id],
    );
    for (const { table } of OBJECT_TABLES) {
      await tx.rows(
        `UPDATE ${table} SET deletion_id = $2 WHERE workspace_id = $1 AND marked_at IS NOT NULL AND deletion_id IS NULL`,
        [admin.workspaceId, deletion!.id],
      );
    }
    return deletion!.id;
  });
}

/** Puts the frozen rows back into the selection and removes the deletion; returns how many were frozen. */
async function unfreeze(db: Database, deletionId: string): Promise<number> {
  let frozen = 0;
  for (const { table } of OBJECT_TABLES) {
    const rows = await db.one<{ n: number }>(
      `WITH u AS (UPDATE ${table} SET deletion_id = NULL WHERE deletion_id = $1 RETURNING 1) SELECT count(*)::int AS n FROM u`,
      [deletionId],
    );
    frozen += rows!.n;
  }
  await db.rows('DELETE FROM notifications WHERE deletion_id = $1', [deletionId]);
  await db.rows('DELETE FROM deletions WHERE id = $1', [deletionId]);
  return frozen;
}
