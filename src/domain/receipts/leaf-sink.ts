import { setImmediate as nextTurn } from 'node:timers/promises';
import { SaltedLeaves, StreamingMerkle } from './merkle';

/** Where a receipt's leaves go: hashed, in the order pushed, into one RFC 6962 tree. */
export interface LeafSink {
  /** Adds the leaves of `ids` (objects of `type`) in order; resolves once they are in the tree. */
  push(type: string, ids: readonly string[]): Promise<void>;
  /** The root and leaf count of everything pushed; the sink is done with after this. */
  root(): Promise<{ root: Buffer; size: number }>;
  /** Gives the sink up without a root. */
  discard(): void;
}

/** Leaves hashed between two yields to the event loop, so hashing in this thread never holds up a request for long. */
const LEAVES_PER_TURN = 250;

/** Hashes in this thread (the rebuild after a crash, and wherever no worker runs): O(log n) hashes held. */
export class InlineLeafSink implements LeafSink {
  private readonly tree = new StreamingMerkle();
  private readonly leaves: SaltedLeaves;

  constructor(salt: Buffer) {
    this.leaves = new SaltedLeaves(salt);
  }

  async push(type: string, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i++) {
      if (i > 0 && i % LEAVES_PER_TURN === 0) await nextTurn();
      this.tree.push(this.leaves.leaf(type, ids[i]));
    }
  }

  async root(): Promise<{ root: Buffer; size: number }> {
    return { root: this.tree.root(), size: this.tree.size };
  }

  discard(): void {}
}
