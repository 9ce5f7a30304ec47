import { setTimeout as sleep } from 'node:timers/promises';

/** The first pause after a chunk found only locked rows; each next one doubles, up to the cap. */
const FIRST_PAUSE_MS = 25;
const MAX_PAUSE_MS = 1_000;

/**
 * Paces a run whose remaining rows are locked by other transactions (a restore, an archive call)
 * and says when to give the run up. The budget is real elapsed time, measured on the monotonic
 * clock (not the injected one, which tests move), and the pauses grow, so a give-up comes after
 * about `giveUpMs` and a few rounds, whatever each round costs on a busy database: counting
 * rounds of fixed pauses instead took three to four times the intended delay under load.
 */
export class LockedRowsWait {
  private since: number | undefined;
  private pauseMs = FIRST_PAUSE_MS;

  constructor(private readonly giveUpMs: number) {}

  /** Progress was made: the next wait starts from scratch. */
  reset(): void {
    this.since = undefined;
    this.pauseMs = FIRST_PAUSE_MS;
  }

  /** Pauses before the next round; false (at once) when the budget is spent and the run should give up. */
  async pause(): Promise<boolean> {
    const now = performance.now();
    this.since ??= now;
    const left = this.since + this.giveUpMs - now;
    if (left <= 0) return false;
    await sleep(Math.min(this.pauseMs, left));
    this.pauseMs = Math.min(this.pauseMs * 2, MAX_PAUSE_MS);
    return true;
  }
}
