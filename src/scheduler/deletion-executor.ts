import { setTimeout as sleep } from 'node:timers/promises';
import { Database, Sql } from '../database/database';
import { Logger } from '../log';
import { DeletionEventType, publishDeletionEvent } from '../services/deletion-events';
import { returnToSelection } from '../services/deletion.service';
import { FileStore } from '../services/file-store';
import { NotificationKind, NotificationService } from '../services/notification.service';
import { anyObjectLeft, ChunkResult, removeChunk } from './deletion-chunk';

/** A deletion this instance has claimed, as the scheduler's claim returned it. */
export interface ClaimedDeletion {
  id: string;
  workspaceId: string;
  /** Claims so far without progress, this one included. */
  attempts: number;
}

/** How one execution run ended. */
export enum ExecutionOutcome {
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  /** A chunk failed, or the rows left stayed locked; the lease is kept until it expires, then a claim retries. */
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
  /** The chunk's transaction and file removal, in milliseconds (for metrics). */
  durationMs: number;
}

export interface ExecutorOptions {
  db: Database;
  files: FileStore;
  notifications: NotificationService;
  logger: Logger;
  instanceId: string;
  chunkSize: number;
  leaseMs: number;
  /** Claims without progress before the deletion is marked FAILED. */
  maxAttempts?: number;
  /** Called after each committed chunk and its file removal (tests act between chunks here). */
  afterChunk?: (progress: ChunkProgress) => Promise<void> | void;
}

/** Claims in a row that may make no progress before a deletion is given up as FAILED. */
export const MAX_ATTEMPTS_WITHOUT_PROGRESS = 5;
// How long to wait when the only rows left are locked by another transaction (e.g. a restore),
// and for how many rounds before giving the claim up as a retry: a lock held for good must not
// keep a run (and its lease) alive for ever.
const BUSY_WAIT_MS = 25;
const MAX_BUSY_ROUNDS = 200;

/**
 * Executes one claimed deletion (DESIGN §2 rule 8) in short transactions of at most `chunkSize`
 * objects. Each chunk locks the deletion row first and the object rows second (restore's order),
 * stops if another instance holds the lease, and commits whole: objects, attachment rows, the
 * files' tombstones, progress and the PROGRESS event together. Files are deleted after the commit;
 * a crash in between leaves tombstones, which the resumed run drains before completing.
 */
export class DeletionExecutor {
  private readonly maxAttempts: number;

  constructor(private readonly options: ExecutorOptions) {
    this.maxAttempts = options.maxAttempts ?? MAX_ATTEMPTS_WITHOUT_PROGRESS;
  }

  /** Runs the deletion to its end, or until the lease is lost, a chunk fails or `shouldStop()` turns true. */
  async execute(deletion: ClaimedDeletion, now: () => Date, shouldStop: () => boolean): Promise<ExecutionOutcome> {
    if (deletion.attempts > this.maxAttempts) {
      return this.fail(
        deletion,
        now(),
        `No progress after ${this.maxAttempts} attempts; the last ones were interrupted.`,
      );
    }
    let attempts = deletion.attempts;
    let busyRounds = 0;
    try {
      for (;;) {
        if (shouldStop()) {
          await this.release(deletion.id);
          return ExecutionOutcome.STOPPED;
        }
        const started = performance.now();
        const chunk = await this.runChunk(deletion, now());
        if (chunk === ExecutionOutcome.LEASE_LOST) return chunk;
        // The chunk's commit reset the stored count; a file error below starts from there.
        if (chunk.objects > 0) [attempts, busyRounds] = [1, 0];
        await this.removeFiles(chunk.tombstones);
        if (chunk.objects > 0) {
          await this.options.afterChunk?.({
            deletionId: deletion.id,
            objects: chunk.objects,
            bytes: chunk.bytes,
            files: chunk.tombstones.length,
            durationMs: performance.now() - started,
          });
        } else if (chunk.left) {
          if (++busyRounds >= MAX_BUSY_ROUNDS) {
            this.options.logger.warn(`deletion ${deletion.id}: its remaining rows stay locked; retrying later`);
            return ExecutionOutcome.RETRY;
          }
          await sleep(BUSY_WAIT_MS);
        } else {
          await this.drainTombstones(deletion.id);
          return await this.complete(deletion, now());
        }
      }
    } catch (error) {
      this.options.logger.error(`deletion ${deletion.id}: attempt ${attempts} failed`, error);
      if (attempts >= this.maxAttempts) {
        // Admins read this in the history: the error's first line, bounded, never a stack.
        const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0].slice(0, 300);
        return this.fail(deletion, now(), `Stopped after ${attempts} attempts without progress: ${reason}`);
      }
      return ExecutionOutcome.RETRY;
    }
  }

  /** One chunk in one transaction; `left` says whether rows remain that were locked by others. */
  private async runChunk(
    deletion: ClaimedDeletion,
    at: Date,
  ): Promise<(ChunkResult & { left: boolean }) | ExecutionOutcome.LEASE_LOST> {
    return this.options.db.transaction(async (tx) => {
      const owned = await this.lockIfOwned(tx, deletion.id);
      if (!owned) return ExecutionOutcome.LEASE_LOST;
      await tx.rows('UPDATE deletions SET locked_until = $2 WHERE id = $1', [
        deletion.id,
        new Date(at.getTime() + this.options.leaseMs),
      ]);
      const chunk = await removeChunk(
        tx,
        deletion.id,
        deletion.workspaceId,
        this.options.chunkSize,
        owned.pendingTypes,
      );
      if (chunk.objects === 0) return { ...chunk, left: await anyObjectLeft(tx, deletion.id) };
      // Progress was made: this claim starts a fresh count of attempts without progress.
      await tx.rows('UPDATE deletions SET attempts = 1 WHERE id = $1', [deletion.id]);
      await this.publish(tx, deletion, DeletionEventType.PROGRESS, at);
      return { ...chunk, left: true };
    });
  }

  /**
   * Locks the deletion row; returns it when it is still EXECUTING under this instance's lease,
   * with the types its volumes say still have objects to remove.
   */
  private async lockIfOwned(tx: Sql, deletionId: string): Promise<{ pendingTypes: string[] } | undefined> {
    const row = await tx.one<{ status: string; lockedBy: string | null; pendingTypes: string[] }>(
      `SELECT status, locked_by AS "lockedBy", ARRAY(
         SELECT object_type FROM deletion_type_volumes WHERE deletion_id = d.id AND count > done_count
       ) AS "pendingTypes"
       FROM deletions d WHERE id = $1 FOR UPDATE`,
      [deletionId],
    );
    return row?.status === 'EXECUTING' && row.lockedBy === this.options.instanceId ? row : undefined;
  }

  /** Deletes the files (a missing one is fine), then forgets their tombstones. */
  private async removeFiles(tombstones: { id: string; key: string }[]): Promise<void> {
    if (tombstones.length === 0) return;
    for (const { key } of tombstones) await this.options.files.delete(key);
    await this.options.db.rows('DELETE FROM file_tombstones WHERE id = ANY($1::bigint[])', [
      tombstones.map((t) => t.id),
    ]);
  }

  /** Removes files a previous run committed as tombstones but died before deleting. */
  private async drainTombstones(deletionId: string): Promise<void> {
    const rows = await this.options.db.rows<{ id: string; key: string }>(
      'SELECT id::text, storage_key AS key FROM file_tombstones WHERE deletion_id = $1 ORDER BY id',
      [deletionId],
    );
    await this.removeFiles(rows);
  }

  /** Marks the deletion COMPLETED, notifies admins and publishes COMPLETED, in one transaction. */
  private complete(deletion: ClaimedDeletion, at: Date): Promise<ExecutionOutcome> {
    return this.end(deletion, at, ExecutionOutcome.COMPLETED, async (tx) => {
      await tx.rows(
        `UPDATE deletions SET status = 'COMPLETED', completed_at = $2, locked_by = NULL, locked_until = NULL
         WHERE id = $1`,
        [deletion.id, at],
      );
    });
  }

  /**
   * Gives up: FAILED with a reason, admins notified, FAILED published. Every committed chunk is
   * whole; the objects not yet removed go back to the selection, still marked, so admins can
   * activate again once the cause is fixed (or restore them).
   */
  private fail(deletion: ClaimedDeletion, at: Date, reason: string): Promise<ExecutionOutcome> {
    return this.end(deletion, at, ExecutionOutcome.FAILED, async (tx) => {
      await tx.rows(
        `UPDATE deletions SET status = 'FAILED', failure_reason = $2, locked_by = NULL, locked_until = NULL
         WHERE id = $1`,
        [deletion.id, reason],
      );
      await returnToSelection(tx, deletion.id);
    });
  }

  /** Ends a run we still own: `update` sets the final status; admins hear of it in the same transaction. */
  private async end(
    deletion: ClaimedDeletion,
    at: Date,
    outcome: ExecutionOutcome.COMPLETED | ExecutionOutcome.FAILED,
    update: (tx: Sql) => Promise<void>,
  ): Promise<ExecutionOutcome> {
    const done = outcome === ExecutionOutcome.COMPLETED;
    return this.options.db.transaction(async (tx) => {
      if (!(await this.lockIfOwned(tx, deletion.id))) return ExecutionOutcome.LEASE_LOST;
      await update(tx);
      const kind = done ? NotificationKind.DELETION_COMPLETED : NotificationKind.DELETION_FAILED;
      await this.options.notifications.notifyAdmins(tx, deletion.workspaceId, kind, deletion.id, at);
      await this.publish(tx, deletion, done ? DeletionEventType.COMPLETED : DeletionEventType.FAILED, at);
      return outcome;
    });
  }

  /** Gives the lease back so another instance may resume at once (used when stopping). */
  private async release(deletionId: string): Promise<void> {
    await this.options.db.rows(
      `UPDATE deletions SET locked_by = NULL, locked_until = NULL
       WHERE id = $1 AND status = 'EXECUTING' AND locked_by = $2`,
      [deletionId, this.options.instanceId],
    );
  }

  private publish(tx: Sql, deletion: ClaimedDeletion, type: DeletionEventType, at: Date): Promise<void> {
    return publishDeletionEvent(tx, {
      type,
      workspaceId: deletion.workspaceId,
      deletionId: deletion.id,
      actorId: null,
      occurredAt: at.toISOString(),
    });
  }
}
