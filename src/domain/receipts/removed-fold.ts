import { Database } from '../../database/database';
import { LeafHashThread } from './leaf-hash-thread';
import { InlineLeafSink } from './leaf-sink';
import { BatchSet, countSurvivors, RemovedBatch, RemovedSummary, RemovedTally } from './removed-batches';

/** One deletion's fold: the tally so far, once every batch handed over before is in it. */
type FoldRun = Promise<RemovedTally>;

/**
 * Builds a deletion's receipt figures while it executes, so the receipt costs the executor almost
 * nothing (issue 23: ≤ 5% at 100k objects, bench/receipts.bench.ts). Each committed chunk hands
 * over the batches it recorded; their leaves are hashed on the hashing thread (leaf-hash-thread.ts)
 * and their survivors checked on another connection while the database removes the next chunk, so
 * the work runs on the core the executor leaves idle. The issuer then takes the finished tally
 * instead of reading everything again. Without a hashing thread, the leaves are hashed in this
 * thread, between the executor's statements.
 *
 * Only an optimisation: a fold that did not see exactly the recorded batches (a crash, a takeover
 * by another instance, a failed check) is dropped, and the issuer rebuilds the figures from
 * `deletion_removed`, which alone is the truth.
 */
export class RemovedFold {
  private readonly runs = new Map<string, FoldRun>();

  constructor(
    private readonly db: Database,
    private readonly hashing?: LeafHashThread,
  ) {}

  /**
   * Folds a committed chunk's batches. Resolves once the previous chunk's batches are folded, so
   * the executor that awaits it runs at most one chunk ahead and memory stays bounded.
   */
  add(deletionId: string, workspaceId: string, batches: readonly RemovedBatch[]): Promise<void> {
    const previous = this.runs.get(deletionId) ?? this.start(workspaceId);
    const next = previous.then(async (tally) => {
      for (const batch of batches) {
        // The check's statement runs in PostgreSQL while this process hashes the batch.
        const survivors = countSurvivors(this.db, batch);
        await tally.add(batch);
        tally.addSurvivors(await survivors);
      }
      return tally;
    });
    // A failed fold is only dropped (the issuer rebuilds): never an unhandled rejection.
    next.catch(() => undefined);
    this.runs.set(deletionId, next);
    return previous.then(
      () => undefined,
      () => undefined,
    );
  }

  /** The finished figures if the fold saw exactly `recorded`; undefined otherwise. Forgets the deletion. */
  async take(deletionId: string, recorded: BatchSet): Promise<RemovedSummary | undefined> {
    const run = this.runs.get(deletionId);
    this.runs.delete(deletionId);
    const tally = await run?.catch(() => undefined);
    if (tally?.covers(recorded)) return tally.summary().catch(() => undefined);
    tally?.discard();
    return undefined;
  }

  /** Drops a deletion's fold (its run ended without a receipt: another run will rebuild or refold). */
  forget(deletionId: string): void {
    const run = this.runs.get(deletionId);
    this.runs.delete(deletionId);
    run?.then((tally) => tally.discard()).catch(() => undefined);
  }

  private async start(workspaceId: string): Promise<RemovedTally> {
    // The chain row and its salt exist from the claim on (receiptEffect on CLAIMED).
    const row = await this.db.one<{ salt: Buffer }>('SELECT salt FROM receipt_chains WHERE workspace_id = $1', [
      workspaceId,
    ]);
    if (!row) throw new Error(`workspace ${workspaceId} has no receipt salt yet`);
    return new RemovedTally(this.hashing ? this.hashing.sink(row.salt) : new InlineLeafSink(row.salt));
  }
}
