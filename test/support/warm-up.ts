import type { Client as WsClient } from 'graphql-ws';
import { Sql } from '../../src/database/database';
import { DeletionEventType, publishDeletionEvent } from '../../src/domain/deletion/deletion-events';
import { SubscriptionLog } from './subscription-log';
import { waitFor } from './wait-for';

/**
 * A subscription becomes live asynchronously after `subscribe`; until it is, an event would be
 * missed. The suite's one way to know it is live: publish warm-up events (PROGRESS, no actor,
 * about an old deletion of the subscriber's workspace) through the real NOTIFY path until it
 * hears one. Tests then leave warm-ups out (`isWarmUp`).
 */

/** The deletion warm-ups name; PROGRESS events of a deletion that changes no more are harmless. */
export interface WarmUpTarget {
  workspaceId: string;
  deletionId: string;
}

/** One subscription to prove live: the target of its workspace and how many warm-ups it heard so far. */
export interface WarmUpEntry {
  target: WarmUpTarget;
  heard(): number;
  /** Whether it ended (refused, or its socket closed): it hears nothing more and is not waited for. */
  ended?(): boolean;
}

type Db = { transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> };

/**
 * Publishes rounds of warm-ups (one per target) until every entry heard one, then one last round
 * that every entry must hear too: a subscription's events arrive in order, so after that, what a
 * test publishes reaches every entry after all of the warm-ups it will hear. Each round waits for
 * the entries already live to hear it, which paces the rounds; each warm-up heard resets the stall
 * deadline, so many subscribers on a loaded machine take long, not forever.
 */
export async function warmUpSubscriptions(db: Db, entries: readonly WarmUpEntry[]): Promise<void> {
  const targets = [...new Map(entries.map(({ target }) => [target.deletionId, target])).values()];
  const heard = () => entries.map((entry) => entry.heard());
  const waitedFor = (i: number) => !entries[i].ended?.();
  let lastRound: number[] | undefined;
  await waitFor(
    async () => {
      const now = heard();
      if (lastRound) {
        if (lastRound.some((before, i) => waitedFor(i) && before > 0 && now[i] <= before)) return false;
        if (lastRound.every((before, i) => !waitedFor(i) || before > 0)) return true;
      }
      lastRound = now;
      for (const target of targets) await db.transaction((tx) => publishWarmUp(tx, target));
      return false;
    },
    {
      what: 'subscriptions to become live',
      progress: () => heard().reduce((sum, n) => sum + n, 0),
      // Until a subscription is live nothing paces the rounds: keep them from flooding the server.
      pollMs: 100,
    },
  );
}

/**
 * Whether a `deletionEvents` payload is a warm-up, as far as its subscription selects: PROGRESS,
 * no actor, and (when the deletion is selected) a target's deletion. A subscription must select
 * `type` or `actor` for its warm-ups to be told apart; the events a test publishes itself have an
 * actor or another type.
 */
export function isWarmUp(event: Record<string, unknown>, targets: readonly WarmUpTarget[]): boolean {
  const deletionId = (event.deletion as { id?: string } | undefined)?.id;
  return (
    (event.type ?? DeletionEventType.PROGRESS) === DeletionEventType.PROGRESS &&
    (event.actor ?? null) === null &&
    (deletionId === undefined || targets.some((target) => target.deletionId === deletionId))
  );
}

/**
 * Subscribes `query` on each client and returns their logs once every one is live; warm-ups are
 * counted apart from the payloads, so a log's `payloads` hold only what the test caused.
 */
export async function subscribeLive(
  db: Db,
  target: WarmUpTarget,
  subscriptions: readonly { client: WsClient; query: string }[],
): Promise<SubscriptionLog[]> {
  const logs = subscriptions.map(
    ({ client, query }) => new SubscriptionLog(client, query, (event) => isWarmUp(event, [target])),
  );
  await warmUpSubscriptions(
    db,
    logs.map((log) => ({ target, heard: () => log.warmUps, ended: () => log.end !== undefined })),
  );
  return logs;
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
