import { createHash, createHmac } from 'node:crypto';
import { hmacStates, HmacStates, sha256, sha256From } from './sha256';

// RFC 6962 §2.1 Merkle Tree Hash, with the leaf data DESIGN §6 fixes: HMAC-SHA-256(workspace salt, `TYPE:id`),
// so the root reveals nothing that lets anyone test a guessed id without the workspace's secret salt.
// Hashed with sha256.ts, not node:crypto: a receipt hashes five blocks per removed object, and
// node:crypto's cost per call, not per byte, made that as long as the executor's own work.

/** A message being hashed: at most `0x01 ‖ left ‖ right` (65 bytes) or a ref's text. */
const MESSAGE = Buffer.alloc(256);
/** `TYPE:id` texts longer than this (never, for uuids) take node:crypto's HMAC. */
const LONGEST_FAST_TEXT = 119;

/**
 * Leaf hashes under one workspace's salt: HMAC's keyed states are computed once here, so each
 * leaf costs three SHA-256 blocks (HMAC's inner and outer, the leaf) instead of five, and no call
 * into node:crypto.
 */
export class SaltedLeaves {
  private readonly states: HmacStates;

  constructor(private readonly salt: Buffer) {
    this.states = hmacStates(salt);
  }

  /** The salted leaf data of one removed object: HMAC-SHA-256(salt, `TYPE:id`). */
  data(type: string, id: string): Buffer {
    const text = `${type}:${id}`;
    const length = text.length <= LONGEST_FAST_TEXT ? MESSAGE.write(text, 0, 'utf8') : Infinity;
    if (length > LONGEST_FAST_TEXT) return createHmac('sha256', this.salt).update(text).digest();
    const inner = Buffer.allocUnsafe(32);
    sha256From(this.states.inner, 1, MESSAGE, length, inner);
    const data = Buffer.allocUnsafe(32);
    sha256From(this.states.outer, 1, inner, 32, data);
    return data;
  }

  /** The RFC 6962 leaf hash of one removed object: SHA-256(0x00 ‖ HMAC-SHA-256(salt, `TYPE:id`)). */
  leaf(type: string, id: string): Buffer {
    return leafHash(this.data(type, id));
  }
}

/** The salted leaf data of one removed object: HMAC-SHA-256(salt, `TYPE:id`). */
export function leafData(salt: Buffer, type: string, id: string): Buffer {
  return new SaltedLeaves(salt).data(type, id);
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data), for data of at most 118 bytes (leaf data is 32). */
export function leafHash(data: Buffer): Buffer {
  if (data.length > 118)
    return createHash('sha256')
      .update(Buffer.from([0x00]))
      .update(data)
      .digest();
  MESSAGE[0] = 0x00;
  MESSAGE.set(data, 1);
  const hash = Buffer.allocUnsafe(32);
  sha256(MESSAGE, data.length + 1, hash);
  return hash;
}

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right), of two 32-byte hashes. */
export function nodeHash(left: Buffer, right: Buffer): Buffer {
  if (left.length !== 32 || right.length !== 32) throw new RangeError('RFC 6962 nodes join two 32-byte hashes');
  MESSAGE[0] = 0x01;
  MESSAGE.set(left, 1);
  MESSAGE.set(right, 33);
  const hash = Buffer.allocUnsafe(32);
  sha256(MESSAGE, 65, hash);
  return hash;
}

/** The hash of the empty tree (RFC 6962: SHA-256 of the empty string). */
export const EMPTY_ROOT = createHash('sha256').digest();

/** The largest power of two strictly below `n` (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * Builds the RFC 6962 root of leaf hashes fed in order, holding O(log n) hashes: one per set bit of
 * the count so far. Complete subtrees merge as they fill; `root()` then folds the remaining perfect
 * subtrees (sizes strictly decreasing) from the right, which is exactly MTH's split at the largest
 * power of two below n, applied recursively.
 */
export class StreamingMerkle {
  private readonly stack: { size: number; hash: Buffer }[] = [];
  private count = 0;

  /** Adds the next leaf hash. */
  push(leaf: Buffer): void {
    let node = { size: 1, hash: leaf };
    for (let top = this.stack.at(-1); top && top.size === node.size; top = this.stack.at(-1)) {
      this.stack.pop();
      node = { size: top.size * 2, hash: nodeHash(top.hash, node.hash) };
    }
    this.stack.push(node);
    this.count += 1;
  }

  /** Leaves pushed so far. */
  get size(): number {
    return this.count;
  }

  /** The root over the leaves pushed so far. */
  root(): Buffer {
    if (this.stack.length === 0) return EMPTY_ROOT;
    let hash = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i -= 1) hash = nodeHash(this.stack[i].hash, hash);
    return hash;
  }
}

/** The sibling subtree at one level of an audit path: leaves [start, end), on the left or right of the path. */
export interface SiblingRange {
  start: number;
  end: number;
  side: 'L' | 'R';
}

/**
 * The sibling ranges of leaf `index` in a tree of `n` leaves, from the leaf up (RFC 6962 §2.1.1 PATH):
 * each is a whole subtree whose root is one entry of the inclusion proof. Pure arithmetic, O(log n).
 */
function siblingRanges(index: number, n: number, start = 0): SiblingRange[] {
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (index < start + k) return [...siblingRanges(index, k, start), { start: start + k, end: start + n, side: 'R' }];
  return [...siblingRanges(index, n - k, start + k), { start, end: start + k, side: 'L' }];
}

/**
 * Collects an inclusion proof while the leaves stream past once, in order: each leaf feeds the
 * streaming root of the one sibling range holding it, so memory stays O(log² n) whatever n is.
 */
export class StreamingProof {
  private readonly ranges: SiblingRange[];
  private readonly builders: StreamingMerkle[];
  private position = 0;

  constructor(
    private readonly index: number,
    n: number,
  ) {
    this.ranges = siblingRanges(index, n);
    this.builders = this.ranges.map(() => new StreamingMerkle());
  }

  /** Adds the next leaf hash (leaf number `position`). */
  push(leaf: Buffer): void {
    const at = this.position;
    this.position += 1;
    if (at === this.index) return;
    const i = this.ranges.findIndex((range) => at >= range.start && at < range.end);
    if (i >= 0) this.builders[i].push(leaf);
  }

  /** The path from the leaf up: `L:<hex>` or `R:<hex>` by the sibling's side. */
  path(): string[] {
    return this.ranges.map((range, i) => `${range.side}:${this.builders[i].root().toString('hex')}`);
  }
}

/** Folds a leaf hash up its `L:`/`R:` path; the result equals the root when the proof holds. */
export function rootFromPath(leaf: Buffer, path: readonly string[]): Buffer {
  return path.reduce((hash, step) => {
    const [side, hex] = step.split(':');
    const sibling = Buffer.from(hex ?? '', 'hex');
    if (sibling.length !== 32 || (side !== 'L' && side !== 'R')) throw new Error(`Malformed proof step "${step}".`);
    return side === 'L' ? nodeHash(sibling, hash) : nodeHash(hash, sibling);
  }, leaf);
}
