/**
 * Runs `work` on every item with at most `limit` calls in flight, and resolves once all are done.
 * File stores gain from overlapping many small writes or unlinks, but an unbounded burst of
 * thousands would exhaust file descriptors; the first failure rejects (the others still settle).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}
