import { Database, Sql } from '../database/database';
import { Logger } from '../log';
import { DeletionStatus, statusTransition } from '../domain/deletion/deletion-status';

const { PENDING, EXECUTING } = DeletionStatus;

/** A claim starts a due run or takes over one whose lease expired. */
const CLAIM = statusTransition([PENDING, EXECUTING], EXECUTING);

/** A deletion this instance has claimed, as the claim returned it. */
export interface ClaimedDeletion {
  id: string;
  workspaceId: string;
}

/**
 * Claims one due deletion, in the spirit of graphile-worker: the deletion row is the job and SKIP
 * LOCKED makes concurrent claimers pass each other by, so however many instances tick, exactly one
 * gets a deletion. Due means PENDING past execute_after, or EXECUTING with an expired or released
 * lease (a run whose process died or stopped). Cancel is `UPDATE … WHERE status = PENDING`:
 * whichever commits first wins; the other sees the row no longer PENDING (or skips it while locked).
 *
 * Two clocks, on purpose. Due-ness compares execute_after with `$1`, the injected clock, so tests
 * move time to make a deletion due, as activation stamped execute_after with that same clock.
 * Leases use the database's `now()` only: every instance compares against the one clock that
 * wrote them, so a process whose clock runs late (or a test's moved clock) can neither take over
 * a live run nor hold on to a dead one. A claim does not count as an attempt: only a run that ends
 * without progress does (see DeletionExecutor), so claims that die at once cannot fail a deletion.
 * The statuses are written into the text (from the enum), not passed as parameters, so the query
 * matches the partial index `deletions_due` whatever plan the server picks: a generic plan cannot
 * prove that a parameter equals one of the index's statuses.
 */
const CLAIM_SQL = `
  WITH due AS (
    SELECT id FROM deletions
    WHERE ((status = '${PENDING}' AND execute_after <= $1)
       OR (status = '${EXECUTING}' AND (locked_until IS NULL OR locked_until < now())))
      AND NOT (id = ANY($4::uuid[]))
    ORDER BY execute_after LIMIT 1
    FOR UPDATE SKIP LOCKED)
  UPDATE deletions d SET status = '${CLAIM.to}', started_at = coalesce(d.started_at, $1), locked_by = $2,
    locked_until = now() + $3 * interval '1 millisecond'
  FROM due WHERE d.id = due.id
  RETURNING d.id, d.workspace_id AS "workspaceId"`;

/** Takes the earliest deletion due at `now` that no one else holds, or nothing. */
export function claimDueDeletion(
  db: Sql,
  now: Date,
  instanceId: string,
  leaseMs: number,
  skip: readonly string[],
): Promise<ClaimedDeletion | undefined> {
  return db.one<ClaimedDeletion>(CLAIM_SQL, [now, instanceId, leaseMs, skip]);
}

/**
 * Extends the lease of a run this instance still holds, from the database's clock at the moment
 * the row is written (`clock_timestamp()`, not the transaction's start). A row locked by another
 * transaction is skipped, not waited for: a heartbeat must never queue behind a chunk (which renews
 * the lease itself under the same row lock), or it would outlive a process killed meanwhile and
 * renew a dead run's lease once more. A transaction's own row locks never make it skip.
 */
async function renewLease(sql: Sql, deletionId: string, instanceId: string, leaseMs: number): Promise<void> {
  await sql.rows(
    `UPDATE deletions SET locked_until = clock_timestamp() + $3 * interval '1 millisecond'
     WHERE id = (SELECT id FROM deletions WHERE id = $1 AND locked_by = $2 AND status = '${EXECUTING}'
                 FOR UPDATE SKIP LOCKED)`,
    [deletionId, instanceId, leaseMs],
  );
}

/**
 * How many renewals fit in one lease. Three means a lease survives two missed heartbeats in a row
 * (a stalled database round trip, a long GC pause) before another instance may take the run over.
 */
const HEARTBEATS_PER_LEASE = 3;

/**
 * Renews a run's lease every `leaseMs / HEARTBEATS_PER_LEASE` for as long as the run lasts, between
 * chunks too (file removal, hooks), so a live run never works on a lapsed lease. Renewals never
 * overlap. A lease taken over is not renewed (the renewal checks the owner); the next chunk notices.
 */
export class LeaseHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly deletionId: string,
    private readonly instanceId: string,
    private readonly leaseMs: number,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => this.start());
    }, this.leaseMs / HEARTBEATS_PER_LEASE);
  }

  /** Stops renewing and waits for a renewal in flight, so none outlives the run (or the pool). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
  }

  private async beat(): Promise<void> {
    try {
      await renewLease(this.db, this.deletionId, this.instanceId, this.leaseMs);
    } catch (error) {
      // A missed beat is survivable (see HEARTBEATS_PER_LEASE); the next one tries again.
      this.logger.warn(`deletion ${this.deletionId}: renewing its lease failed: ${String(error)}`);
    }
  }
}
