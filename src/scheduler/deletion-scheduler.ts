import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Database } from '../database/database';
import { Logger } from '../log';
import { Clock } from '../services/clock';
import { FileStore } from '../infra/file-store';
import { NotificationService } from '../services/notification.service';
import { FileSweeper } from './file-sweeper';
import { ChunkProgress, DeletionExecutor, ExecutionOutcome } from './deletion-executor';
import { claimDueDeletion } from './deletion-lease';

export interface SchedulerOptions {
  db: Database;
  files: FileStore;
  notifications: NotificationService;
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
  afterChunk?: (progress: ChunkProgress) => Promise<void> | void;
}

/** What one tick did to each deletion it claimed. */
export interface TickResult {
  deletionId: string;
  outcome: ExecutionOutcome;
}

/**
 * Runs in every server process: a timer ticks every `intervalMs` (never two ticks at once), each
 * tick claims due deletions one by one and executes them, then sweeps abandoned files (see
 * file-sweeper.ts). `stop()` waits for the running tick, which ends after its current chunk and
 * releases its lease.
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
    // A deletion already run in this tick (and lost, stopped or failed) waits for the next tick.
    const seen: string[] = [];
    while (!this.stopping) {
      const claimed = await claimDueDeletion(this.options.db, clock(), this.instanceId, this.options.leaseMs, seen);
      if (!claimed) break;
      seen.push(claimed.id);
      const outcome = await this.executor.execute(claimed, clock, () => this.stopping);
      const fields = { deletionId: claimed.id, workspaceId: claimed.workspaceId, outcome };
      if (outcome !== ExecutionOutcome.COMPLETED)
        this.options.logger.warn(`deletion ${claimed.id}: ${outcome.toLowerCase()}`, fields);
      else this.options.logger.info(`deletion ${claimed.id} completed`, fields);
      results.push({ deletionId: claimed.id, outcome });
    }
    await this.sweeper
      .sweep(clock())
      .catch((error: unknown) => this.options.logger.error('sweeping abandoned files failed', error));
    return results;
  }
}
