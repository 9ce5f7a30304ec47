import { Database, Sql } from '../database/database';
import { Logger } from '../log';
import { DeletionStatus } from '../domain/deletion/deletion-status';

const { EXECUTING } = DeletionStatus;

// The claim that takes a lease is a transition: DeletionLifecycle.claim (domain/deletion/lifecycle).

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
