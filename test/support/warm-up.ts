import { Sql } from '../../src/database/database';
import { DeletionEventType, publishDeletionEvent } from '../../src/services/deletion-events';
import { waitFor } from './wait-for';

/** A deletion whose PROGRESS events may be published to prove subscriptions live; tests drop them later. */
export interface WarmUpTarget {
  workspaceId: string;
  deletionId: string;
}

/**
 * A subscription becomes live asynchronously after `subscribe`; until it is, an event would be
 * missed. Publishes PROGRESS events about the targets' (old) deletions through the real NOTIFY path
 * until `live()` reaches `expected`; each newly live subscription resets the stall deadline, so many
 * subscribers on a loaded machine take long, not forever.
 */
export async function warmUpSubscriptions(
  db: { transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> },
  targets: readonly WarmUpTarget[],
  live: () => number,
  expected: number,
): Promise<void> {
  const unique = [...new Map(targets.map((t) => [t.deletionId, t])).values()];
  await waitFor(
    async () => {
      if (live() >= expected) return true;
      for (const target of unique) await db.transaction((tx) => publishWarmUp(tx, target));
      return false;
    },
    // Each round publishes and fans out to every subscriber: pace the rounds so they do not flood the server.
    { what: 'subscriptions to become live', progress: live, pollMs: 100 },
  );
}

function publishWarmUp(tx: Sql, { workspaceId, deletionId }: WarmUpTarget): Promise<void> {
  return publishDeletionEvent(tx, {
    type: DeletionEventType.PROGRESS,
    workspaceId,
    deletionId,
    actorId: null,
    occurredAt: new Date().toISOString(),
  });
}
