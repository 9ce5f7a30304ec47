import { Database } from '../database/database';
import { Logger } from '../log';
import { DeletionStatus } from '../domain/deletion/deletion-status';
import { ClaimedDeletion, DeletionLifecycle, Run } from '../domain/deletion/lifecycle/deletion-lifecycle';
import { FileStore } from '../domain/files/file-store';
import { RemovedFold } from '../domain/receipts/removed-fold';
import { ObjectTable } from '../database/object-tables';
import {
  ChunkResult,
  ChunkScope,
  ChunkStatementResult,
  ObjectRef,
  objectsLeft,
  removeChunk,
  typesToVisit,
} from './deletion-chunk';
import { LeaseHeartbeat } from './deletion-lease';
import { errorReason, givenUpReason, lockedRowsReason, NAMED_LOCKED_OBJECTS } from './failure-reason';
import { deleteTombstonedFiles, removeTombstonedFiles, Tombstone } from './file-removal';
import { LockedRowsWait } from './locked-rows-wait';

const { EXECUTING } = DeletionStatus;

/** How one execution run ended. */
export enum ExecutionOutcome {
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  /** The run ended without progress (an error, or rows that stayed locked); a claim retries once the lease expires. */
  RETRY = 'RETRY',
  /** Another instance took the deletion over (our lease had expired). */
  LEASE_LOST = 'LEASE_LOST',
  /** The scheduler is stopping; the lease was released so another instance resumes at once. */
  STOPPED = 'STOPPED',
}

/** What a committed chunk did, for the `afterChunk` hook. */
export interface ChunkProgress {
  deletionId: string;
  objects: number;
  bytes: number;
  files: number;
  /** The chunk's transaction, in milliseconds (for metrics); its files are deleted while the next chunk runs. */
  durationMs: number;
}

export interface ExecutorOptions {
  db: Database;
  files: FileStore;
  /** Writes the transitions: PROGRESS per chunk, then COMPLETED or FAILED. */
  lifecycle: DeletionLifecycle;
  logger: Logger;
  instanceId: string;
  chunkSize: number;
  leaseMs: number;
  /** Runs in a row without progress before the deletion is marked FAILED. */
  maxAttempts?: number;
  /** How long a run waits for rows other transactions keep locked before it gives up (default 5 s). */
  lockedRowsGiveUpMs?: number;
  /** How long a chunk waits for a row others lock before the run skips locked rows (default CHUNK_LOCK_WAIT_MS). */
  chunkLockWaitMs?: number;
  /** Called after each committed chunk, as its file removal starts (tests act between chunks here). */
  afterChunk?: (progress: ChunkProgress) => Promise<void> | void;
  /**
   * Whether each chunk records the refs it removed (`deletion_removed`, what receipts are built from:
   * src/domain/receipts). On unless turned off, which only the benchmark's baseline does.
   */
  recordRemoved?: boolean;
  /** Folds each chunk's recorded refs into the receipt while the next chunk runs (none: the issuer reads them all). */
  removedFold?: RemovedFold;
}

/** Runs in a row that may end without progress before a deletion is given up as FAILED. */
const MAX_ATTEMPTS_WITHOUT_PROGRESS = 5;
// A lock held for good (a stuck transaction) must not keep a run, and its lease, alive for ever:
// after this long the run ends as a failed attempt and a later claim tries again.
const LOCKED_ROWS_GIVE_UP_MS = 5_000;
/**
 * How long a chunk waits for a row another transaction locks before the run switches to skipping
 * locked rows (deletion-chunk.ts): long enough for an archive call or an upload to finish, far
 * below deadlock_timeout (1 s), so should a lock cycle ever form, this timeout breaks it first.
 */
const CHUNK_LOCK_WAIT_MS = 100;
/** SQLSTATE lock_not_available: the transaction's lock_timeout expired. */
const LOCK_NOT_AVAILABLE = '55P03';

/** A chunk that removed nothing names (some of) the objects left, which others keep locked. */
type ChunkOutcome = ChunkResult & { locked: ObjectRef[] };

/** What a run carries from chunk to chunk. */
interface RunState {
  /** Set once a chunk waited too long for a locked row: the run's later chunks skip locked rows. */
  skipLocked: boolean;
  /** The types the last chunk said have objects left; undefined before the first chunk. */
  pendingTypes: string[] | undefined;
}

/**
 * Executes one claimed deletion (docs/rules.md, rule 8) in short transactions of at most `chunkSize`
 * objects. Each chunk locks the deletion row first and the object rows second (restore's order),
 * stops if another instance holds the lease, and commits whole: objects, attachment rows, the
 * files' tombstones, progress and the lifecycle's PROGRESS together. Files are deleted after the commit,
 * while the next chunk runs; a crash in between leaves tombstones, which the resumed run drains before completing. A heartbeat
 * renews the lease for the whole run (see deletion-lease.ts).
 *
 * Only a run that ends without progress counts as an attempt; a claim whose process dies before
 * its first commit does not, so a crash loop elsewhere cannot fail a healthy deletion. Files are
 * not objects: once every object is gone the deletion is COMPLETED, even if the file store refused
 * some deletes; their tombstones stay for the file sweeper and `filesPending` tells admins.
 */
export class DeletionExecutor {
  private readonly maxAttempts: number;

  constructor(private readonly options: ExecutorOptions) {
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS_WITHOUT_PROGRESS;
  }

  /** Runs the deletion to its end, or until the lease is lost, a run fails or `shouldStop()` turns true. */
  async execute(deletion: ClaimedDeletion, now: () => Date, shouldStop: () => boolean): Promise<ExecutionOutcome> {
    const { db, logger, instanceId, leaseMs } = this.options;
    const heartbeat = new LeaseHeartbeat(db, logger, deletion.id, instanceId, leaseMs);
    heartbeat.start();
    try {
      return await this.run(deletion, now, shouldStop);
    } catch (error) {
      logger.error(`deletion ${deletion.id}: run failed`, error);
      return await this.endAttempt(deletion, now(), errorReason(error));
    } finally {
      // A receipt took the fold; any other end leaves it to the next run to rebuild.
      this.options.removedFold?.forget(deletion.id);
      await heartbeat.stop();
    }
  }

  private async run(deletion: ClaimedDeletion, now: () => Date, shouldStop: () => boolean): Promise<ExecutionOutcome> {
    const lockedRows = new LockedRowsWait(this.options.lockedRowsGiveUpMs ?? LOCKED_ROWS_GIVE_UP_MS);
    // What the run learns as it goes: whether chunks skip locked rows (after one waited too long:
    // chunkOf), and the types with objects left (each chunk's answer).
    const state: RunState = { skipLocked: false, pendingTypes: undefined };
    // A chunk's files are deleted while the next chunk runs: the store waits on the disk or the
    // network, the database on its own work, so the file deletes (a fifth of a purge's time when
    // profiled) hide behind the next chunk (BENCHMARKS.md, issue 25). Only committed tombstones' files go.
    let unlinking: Promise<string[]> = Promise.resolve([]);
    // Tombstones whose files are gone, forgotten by the next chunk's statement (no round trip of their own).
    let goneTombstones: string[] = [];
    try {
      for (;;) {
        if (shouldStop()) {
          await this.release(deletion.id, [...goneTombstones, ...(await unlinking)]);
          return ExecutionOutcome.STOPPED;
        }
        const started = performance.now();
        const chunk = await this.runChunk(deletion, now(), goneTombstones, state);
        if (chunk === ExecutionOutcome.LEASE_LOST) return chunk;
        goneTombstones = await unlinking;
        unlinking = Promise.resolve([]);
        if (chunk.objects > 0) {
          lockedRows.reset();
          unlinking = this.deleteFiles(deletion.id, chunk.tombstones);
          await this.options.removedFold?.add(deletion.id, deletion.workspaceId, chunk.removed);
          await this.options.afterChunk?.({
            deletionId: deletion.id,
            objects: chunk.objects,
            bytes: chunk.bytes,
            files: chunk.tombstones.length,
            durationMs: performance.now() - started,
          });
        } else if (chunk.locked.length > 0) {
          if (!(await lockedRows.pause())) return this.endAttempt(deletion, now(), lockedRowsReason(chunk.locked));
        } else {
          await this.drainTombstones(deletion.id, goneTombstones);
          return this.complete(deletion, now());
        }
      }
    } finally {
      // However the run ends, no file delete outlives it; tombstones not forgotten are deleted again later (harmless).
      await unlinking;
    }
  }

  /**
   * One chunk: the types in `typesToVisit` order, one statement each, until one removes something;
   * the first statement also forgets `goneTombstones` (the previous chunk's files, deleted since).
   * When none removes anything, `locked` names objects left (locked by others), or none are left.
   */
  private async runChunk(
    deletion: ClaimedDeletion,
    at: Date,
    goneTombstones: readonly string[],
    state: RunState,
  ): Promise<ChunkOutcome | ExecutionOutcome.LEASE_LOST> {
    let forget = goneTombstones;
    for (const table of typesToVisit(state.pendingTypes)) {
      const chunk = await this.chunkOf(deletion, at, table, forget, state);
      if (!chunk.owned) return ExecutionOutcome.LEASE_LOST;
      forget = [];
      state.pendingTypes = chunk.pendingTypes;
      if (chunk.objects > 0) return { ...chunk, locked: [] };
    }
    return { objects: 0, bytes: 0, tombstones: [], removed: [], locked: await this.objectsLeft(deletion.id) };
  }

  /** One type's chunk; should a locked row be waited for too long, it and the rest of the run skip locked rows. */
  private async chunkOf(
    deletion: ClaimedDeletion,
    at: Date,
    table: ObjectTable,
    forget: readonly string[],
    state: RunState,
  ): Promise<ChunkStatementResult> {
    try {
      return await this.chunkStatement(deletion, at, table, forget, state.skipLocked);
    } catch (error) {
      if (state.skipLocked || (error as { code?: unknown }).code !== LOCK_NOT_AVAILABLE) throw error;
      // Another transaction kept a row locked past the chunk's lock wait: skip locked rows from now on (chunkSql).
      state.skipLocked = true;
      return this.chunkStatement(deletion, at, table, forget, true);
    }
  }

  /**
   * The chunk's statement, on its own (one round trip) when the lifecycle lets it send PROGRESS
   * itself; else in a transaction with the lifecycle's `progress`, for the effects that act on it.
   */
  private chunkStatement(
    deletion: ClaimedDeletion,
    at: Date,
    table: ObjectTable,
    forget: readonly string[],
    skipLocked: boolean,
  ): Promise<ChunkStatementResult> {
    const { db, lifecycle, chunkSize: limit, instanceId, leaseMs } = this.options;
    const run = this.runOf(deletion, at);
    const progressPayload = lifecycle.progressPayload(run);
    const scope: ChunkScope = {
      deletionId: deletion.id,
      workspaceId: deletion.workspaceId,
      limit,
      record: this.options.recordRemoved ?? true,
      skipLocked,
      instanceId,
      leaseMs,
      lockWaitMs: this.options.chunkLockWaitMs ?? CHUNK_LOCK_WAIT_MS,
      forget,
      progressPayload,
    };
    if (progressPayload) return removeChunk(db, scope, table);
    return db.transaction(async (tx) => {
      const chunk = await removeChunk(tx, scope, table);
      if (chunk.objects > 0) await lifecycle.progress(tx, run);
      return chunk;
    });
  }

  /** Up to NAMED_LOCKED_OBJECTS + 1 objects still in the deletion: after a chunk that removed nothing, those others lock. */
  private objectsLeft(deletionId: string): Promise<ObjectRef[]> {
    return objectsLeft(this.options.db, deletionId, NAMED_LOCKED_OBJECTS + 1);
  }

  /** Deletes a chunk's files (a missing one is fine); returns the tombstones to forget. A refused file keeps its tombstone. */
  private async deleteFiles(deletionId: string, tombstones: readonly Tombstone[]): Promise<string[]> {
    const { failed, firstError, goneIds } = await deleteTombstonedFiles(this.options.files, tombstones);
    this.logRefusals(deletionId, failed, firstError);
    return goneIds;
  }

  /** Deletes the files and forgets their tombstones at once; a refused one keeps its tombstone. */
  private async removeFiles(deletionId: string, tombstones: readonly Tombstone[]): Promise<number> {
    if (tombstones.length === 0) return 0;
    const { failed, firstError } = await removeTombstonedFiles(this.options.db, this.options.files, tombstones);
    this.logRefusals(deletionId, failed, firstError);
    return failed;
  }

  private logRefusals(deletionId: string, failed: number, firstError: unknown): void {
    if (failed > 0)
      this.options.logger.error(`deletion ${deletionId}: the file store refused ${failed} file deletes`, firstError);
  }

  /**
   * Forgets `goneTombstones` (the last chunk's files, deleted since) and removes the files left
   * tombstoned: a previous run's, committed before it died, and any the store refused in this run.
   */
  private async drainTombstones(deletionId: string, goneTombstones: readonly string[]): Promise<void> {
    // The SELECT reads the snapshot before the DELETE, hence it leaves the forgotten ones out itself.
    const rows = await this.options.db.rows<Tombstone>(
      `WITH forgotten AS (DELETE FROM file_tombstones WHERE id = ANY($2::bigint[]))
       SELECT id::text, storage_key AS key FROM file_tombstones
       WHERE deletion_id = $1 AND id <> ALL($2::bigint[]) ORDER BY id`,
      [deletionId, goneTombstones],
    );
    const failed = await this.removeFiles(deletionId, rows);
    if (failed > 0) this.options.logger.warn(`deletion ${deletionId}: ${failed} files left to the file sweeper`);
  }

  /**
   * Ends a run that made no progress as one attempt: RETRY (the lease is kept until it expires, which
   * paces the retries), or FAILED with `cause` once `maxAttempts` runs in a row ended so.
   */
  private async endAttempt(deletion: ClaimedDeletion, at: Date, cause: string): Promise<ExecutionOutcome> {
    try {
      const row = await this.options.db.one<{ attempts: number }>(
        `UPDATE deletions SET attempts = attempts + 1
         WHERE id = $1 AND status = '${EXECUTING}' AND locked_by = $2 RETURNING attempts`,
        [deletion.id, this.options.instanceId],
      );
      if (!row) return ExecutionOutcome.LEASE_LOST;
      this.options.logger.warn(`deletion ${deletion.id}: run ${row.attempts} without progress ended on ${cause}`);
      if (row.attempts < this.maxAttempts) return ExecutionOutcome.RETRY;
      // Files of removed objects whose tombstones a failed chunk could not forget (its rollback kept
      // them) go first, as before COMPLETED: else the FAILED receipt counts them as pending, unverified.
      await this.drainTombstones(deletion.id, []);
      return await this.fail(deletion, at, givenUpReason(row.attempts, cause));
    } catch (error) {
      // Not even the attempt could be recorded (the database is away): the lease expires, a claim retries.
      this.options.logger.error(`deletion ${deletion.id}: recording a failed run failed`, error);
      return ExecutionOutcome.RETRY;
    }
  }

  /** The lifecycle's COMPLETED, while the run is still ours (else LEASE_LOST), in one transaction. */
  private complete(deletion: ClaimedDeletion, at: Date): Promise<ExecutionOutcome> {
    return this.options.db.transaction(async (tx) =>
      (await this.options.lifecycle.complete(tx, this.runOf(deletion, at)))
        ? ExecutionOutcome.COMPLETED
        : ExecutionOutcome.LEASE_LOST,
    );
  }

  /**
   * Gives up: the lifecycle's FAILED with a reason, while the run is still ours (else LEASE_LOST).
   * Every committed chunk is whole; the objects not yet removed go back to the selection, still
   * marked, so admins can activate again once the cause is fixed (or restore them).
   */
  private fail(deletion: ClaimedDeletion, at: Date, reason: string): Promise<ExecutionOutcome> {
    return this.options.db.transaction(async (tx) =>
      (await this.options.lifecycle.fail(tx, this.runOf(deletion, at), reason))
        ? ExecutionOutcome.FAILED
        : ExecutionOutcome.LEASE_LOST,
    );
  }

  /** Gives the lease back so another instance may resume at once (used when stopping). */
  private async release(deletionId: string, goneTombstones: readonly string[]): Promise<void> {
    // The last chunk's tombstones go with it: their files are deleted, and no next chunk will forget them.
    await this.options.db.rows(
      `WITH forgotten AS (DELETE FROM file_tombstones WHERE id = ANY($3::bigint[]))
       UPDATE deletions SET locked_by = NULL, locked_until = NULL
       WHERE id = $1 AND status = '${EXECUTING}' AND locked_by = $2`,
      [deletionId, this.options.instanceId, goneTombstones],
    );
  }

  private runOf(deletion: ClaimedDeletion, now: Date): Run {
    return { deletion, now, instanceId: this.options.instanceId };
  }
}
