/** How long a wait may go without progress before it fails: a loaded machine is slow, not stalled. */
const DEFAULT_STALL_MS = 15_000;

/** How often a condition is polled; only pacing, never what a test decides by. */
const POLL_MS = 20;

export interface WaitOptions<P> {
  /** Named in the error, e.g. 'the crashed deletion to complete'. */
  what?: string;
  /** Fails once this long passed without the condition holding and without `progress()` changing. */
  stallMs?: number;
  /**
   * A comparable measure of progress (live subscriptions, chunks done …): each change resets the
   * stall deadline, so a slow but moving wait never fails and a stuck one fails after `stallMs`.
   */
  progress?: () => P | Promise<P>;
  /** How often to poll; raise it when `condition` itself does work, such as publishing a warm-up event. */
  pollMs?: number;
}

/** Polls `condition` until it holds; fails only when neither it nor `progress` moved for `stallMs`. */
export async function waitFor<P = never>(
  condition: () => boolean | Promise<boolean>,
  options: WaitOptions<P> = {},
): Promise<void> {
  const { what = 'condition', stallMs = DEFAULT_STALL_MS, progress, pollMs = POLL_MS } = options;
  let last = progress ? await progress() : undefined;
  let deadline = Date.now() + stallMs;
  while (!(await condition())) {
    if (progress) {
      const now = await progress();
      if (now !== last) [last, deadline] = [now, Date.now() + stallMs];
    }
    if (Date.now() > deadline) {
      const at = progress ? ` (progress stuck at ${JSON.stringify(last)})` : '';
      throw new Error(`${what} not met: no progress for ${stallMs} ms${at}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Awaits `promise` (a socket's close, a process's exit, an answer) under the stall rule of
 * `waitFor`: it fails only once `progress` (when given) stopped moving for `stallMs`, never at a
 * fixed wall-clock figure. A rejection of `promise` is passed on as is.
 */
export async function settles<T, P = never>(promise: Promise<T>, options: WaitOptions<P> = {}): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => (settled = true));
  const stalled = waitFor(() => settled, options);
  // The outcome is passed on at once, not at the next poll: a caller may wait for what comes right
  // after it (a reconnect after a close), which a poll's delay could let slip by.
  return Promise.race([tracked, stalled.then(() => tracked)]);
}

/** A per-test Jest timeout for tests that fail by the stall rule of `waitFor`, so Jest's own limit never fires first. */
export const STALL_GUARDED_TIMEOUT_MS = 30 * 60_000;
