import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Database } from '../database/database';
import { Logger } from '../log';
import { Clock } from '../domain/clock';
import { FileStore } from '../domain/files/file-store';
import { DeletionLifecycle } from '../domain/deletion/lifecycle/deletion-lifecycle';
import { SelectionService } from '../domain/deletion/selection.service';
import { FileSweeper } from './file-sweeper';
import { sendDueReminders } from './deletion-reminders';
import { applyRetentionPolicies } from './retention-policy';
import { ChunkProgress, DeletionExecutor, ExecutionOutcome } from './deletion-executor';
import { RemovedFold } from '../domain/receipts/removed-fold';
import { WebhookDelivery } from '../domain/webhooks/webhook-delivery';

export interface SchedulerOptions {
  db: Database;
  files: FileStore;
  /** The deletion state machine: claims, reminders and the executor's transitions go through it. */
  lifecycle: DeletionLifecycle;
  /** Marks for the workspaces' retention policies (retention-policy.ts). */
  selection: SelectionService;
  clock: Clock;
  logger: Logger;
  /** Milliseconds between ticks of `start()`'s timer. */
  intervalMs: number;
  /** Objects per executor transaction. */
  chunkSize: number;
  /** How long a claim holds without renewal (renewed every third of it); an expired lease is a crashed run to resume. */
  leaseMs: number;
  maxAttempts?: number;
  /** How long a run waits for rows others keep locked before it ends as a failed attempt. */
  lockedRowsGiveUpMs?: number;
  /** How long a chunk waits for a row others lock before the run skips locked rows (deletion-executor.ts). */
  chunkLockWaitMs?: number;
  afterChunk?: (progress: ChunkProgress) => Promise<void> | void;
  /** Whether chunks record the refs they remove, for receipts (deletion-executor.ts); on by default. */
  recordRemoved?: boolean;
  /** Folds the recorded refs into receipts while chunks run (deletion-executor.ts). */
  removedFold?: RemovedFold;
  /** Sends the webhook outbox's due deliveries each tick (none: webhooks are not sent by this scheduler). */
  webhooks?: WebhookDelivery;
}

/** What one tick did to each deletion it claimed. */
export interface TickResult {
  deletionId: string;
  outcome: ExecutionOutcome;
}

/**
 * Runs in every server process: a timer ticks every `intervalMs` (never two ticks at once), each
 * tick sends the reminders due (deletion-reminders.ts), claims due deletions one by one and
 * executes them, applies the retention policies (retention-policy.ts), then sweeps abandoned files
 * (see file-sweeper.ts). `stop()` waits for the running tick, which ends after its current chunk
 * (or its current workspace's auto-mark) and releases its lease.
 */
export class DeletionScheduler {
  /** Names this instance in `deletions.locked_by`. */
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly executor: DeletionExecutor;
  private readonly sweeper: FileSweeper;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> = Promise.resolve();
  private stopping = false;

  constructor(private readonly options: SchedulerOptions) {
    this.executor = new DeletionExecutor({ ...options, instanceId: this.instanceId });
    this.sweeper = new FileSweeper(options.db, options.files);
  }

  /** Starts the timer; the first tick runs one interval from now. */
  start(): void {
    if (this.timer || this.stopping) return;
    const schedule = () => {
      this.timer = setTimeout(() => {
        this.tick(this.options.clock.now())
          .catch((error: unknown) => this.options.logger.error('deletion scheduler tick failed', error))
          .finally(() => {
            if (!this.stopping) schedule();
          });
      }, this.options.intervalMs);
    };
    schedule();
  }

  /** Stops the timer and waits for the running tick, which releases its lease after its current chunk. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.current.catch(() => undefined);
  }

  /**
   * Claims and executes every deletion due at `now`, one after the other, then sweeps. Ticks never overlap:
   * a tick called while another runs starts after it. During execution time runs on from `now`.
   */
  tick(now: Date): Promise<TickResult[]> {
    const run = this.current.catch(() => undefined).then(() => this.runTick(now));
    this.current = run;
    return run;
  }

  private async runTick(now: Date): Promise<TickResult[]> {
    const offset = now.getTime() - Date.now();
    const clock = () => new Date(Date.now() + offset);
    const results: TickResult[] = [];
    // Before execution: a reminder is for a deletion not yet due, so it never races its own run.
    await this.remind(clock());
    // A deletion already run in this tick (and lost, stopped or failed) waits for the next tick.
    const seen: string[] = [];
    while (!this.stopping) {
      const claim = { now: clock(), instanceId: this.instanceId, leaseMs: this.options.leaseMs, skip: seen };
      const claimed = await this.options.db.transaction((tx) => this.options.lifecycle.claim(tx, claim));
      if (!claimed) break;
      seen.push(claimed.id);
      const outcome = await this.executor.execute(claimed, clock, () => this.stopping);
      const fields = { deletionId: claimed.id, workspaceId: claimed.workspaceId, outcome };
      if (outcome !== ExecutionOutcome.COMPLETED)
        this.options.logger.warn(`deletion ${claimed.id}: ${outcome.toLowerCase()}`, fields);
      else this.options.logger.info(`deletion ${claimed.id} completed`, fields);
      results.push({ deletionId: claimed.id, outcome });
    }
    // After execution, so the COMPLETED or FAILED of this tick's runs go out in the same tick.
    if (!this.stopping) await this.deliverWebhooks(clock());
    if (!this.stopping) await this.autoMark(clock());
    await this.sweeper
      .sweep(clock())
      .catch((error: unknown) => this.options.logger.error('sweeping abandoned files failed', error));
    return results;
  }

  /** Sends the due reminders; a failure is logged and retried next tick (nothing was claimed). */
  private async remind(now: Date): Promise<void> {
    const { db, lifecycle, logger } = this.options;
    try {
      for (const sent of await sendDueReminders(db, lifecycle, now))
        logger.info(`deletion ${sent.deletionId}: reminder sent`, { ...sent });
    } catch (error) {
      logger.error('sending deletion reminders failed', error);
    }
  }

  /** Sends the due webhooks; a failure is logged, and the next tick claims what is left. */
  private async deliverWebhooks(now: Date): Promise<void> {
    try {
      await this.options.webhooks?.deliverDue(now);
    } catch (error) {
      this.options.logger.error('delivering webhooks failed', error);
    }
  }

  /** Applies the retention policies; a failure is logged, and the next tick marks the rest. */
  private async autoMark(now: Date): Promise<void> {
    const { db, selection, logger } = this.options;
    try {
      for (const done of await applyRetentionPolicies(db, selection, now))
        logger.info(`retention policy marked ${done.marked} objects`, { ...done });
    } catch (error) {
      logger.error('applying retention policies failed', error);
    }
  }
}
