/**
 * What graphql-ws iterates for one subscriber of a shared subscription (subscription-groups.ts).
 * It never yields: the group writes each event's frame to the socket itself, once serialized for
 * everyone. It only ends: `complete` (graphql-ws then sends `complete`), `fail` (graphql-ws sends
 * the error as this subscription's `error` message), or `return` (the client completed or left).
 * One pending promise per subscriber instead of a chain of async generators.
 */
export class MemberStream implements AsyncIterableIterator<never> {
  private pending: { resolve: (result: IteratorResult<never>) => void; reject: (error: unknown) => void } | undefined;
  private outcome: { error: unknown } | 'done' | undefined;

  /** `onLeave` runs once, however the stream ends, so the group forgets the subscriber. */
  constructor(private readonly onLeave: () => void) {}

  get ended(): boolean {
    return this.outcome !== undefined;
  }

  next(): Promise<IteratorResult<never>> {
    if (this.outcome === 'done') return Promise.resolve({ done: true, value: undefined });
    if (this.outcome) return Promise.reject(this.outcome.error);
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  return(): Promise<IteratorResult<never>> {
    this.complete();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Ends the subscription normally. */
  complete(): void {
    this.end('done');
  }

  /** Ends the subscription with `error`, which graphql-ws sends to the client. */
  fail(error: unknown): void {
    this.end({ error });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private end(outcome: { error: unknown } | 'done'): void {
    if (this.outcome) return;
    this.outcome = outcome;
    const pending = this.pending;
    this.pending = undefined;
    this.onLeave();
    if (!pending) return;
    if (outcome === 'done') pending.resolve({ done: true, value: undefined });
    else pending.reject(outcome.error);
  }
}
