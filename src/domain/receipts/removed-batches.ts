import { Sql } from '../../database/database';
import { OBJECT_TABLES } from '../../database/object-tables';
import { InlineLeafSink, LeafSink } from './leaf-sink';

/**
 * One row of `deletion_removed`: the objects of one type one executor chunk removed, in the order
 * they count as Merkle leaves (deletion-chunk.ts writes it in the chunk's own statement).
 */
export interface RemovedBatch {
  seq: string;
  type: string;
  ids: string[];
  bytes: number;
  files: number;
}

/** Batches read per statement (a chunk is at most 1,000 ids): bounded memory whatever the deletion's size. */
const BATCH_PAGE = 5;

/**
 * A deletion's removed batches in the order they were removed, a page at a time. Keyset over the
 * primary key (deletion_id, seq): an index range scan per page at any size (docs/receipts.md).
 */
export async function* removedBatches(
  sql: Sql,
  deletionId: string,
  pageSize = BATCH_PAGE,
): AsyncGenerator<RemovedBatch> {
  let after = '0';
  for (;;) {
    const rows = await sql.rows<RemovedBatch>(
      // Ordered by the column, qualified: a bare `seq` would name the text output column and sort '10' before '9'.
      `SELECT r.seq::text AS seq, r.object_type AS type, r.ids::text[] AS ids, r.bytes::float8 AS bytes, r.files
       FROM deletion_removed r WHERE r.deletion_id = $1 AND r.seq > $2::bigint ORDER BY r.seq LIMIT $3`,
      [deletionId, after, pageSize],
    );
    yield* rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}

/** How many batches a deletion recorded and the sum of their seqs: what identifies the set a fold must have seen. */
export interface BatchSet {
  batches: number;
  seqSum: string;
}

/** The deletion's recorded batch set, by an index-only scan of the primary key. */
export async function recordedBatchSet(sql: Sql, deletionId: string): Promise<BatchSet> {
  const row = await sql.one<BatchSet>(
    `SELECT count(*)::int AS batches, coalesce(sum(seq), 0)::text AS "seqSum" FROM deletion_removed WHERE deletion_id = $1`,
    [deletionId],
  );
  return row!;
}

/** What a receipt states about the removed objects. */
export interface RemovedSummary {
  objectsRoot: string;
  leafCount: number;
  byType: { type: string; count: number; bytes: number }[];
  filesRemoved: number;
  /** Removed refs of which an object row or an attachment row still exists (0 when erasure holds). */
  survivors: number;
}

/**
 * The receipt's figures built one batch at a time, in `seq` order: the leaves go to `leaves` (an
 * RFC 6962 tree of O(log n) hashes, here or on the hashing thread), with per-type counts and bytes,
 * files and survivors. Memory stays flat whatever the deletion's size: a batch is dropped once added.
 */
export class RemovedTally {
  private readonly byType = new Map<string, { count: number; bytes: number }>();
  private filesRemoved = 0;
  private survivors = 0;
  private readonly seen: BatchSet = { batches: 0, seqSum: '0' };

  constructor(private readonly leaves: LeafSink) {}

  /** Adds a batch; resolves once its leaves are in the tree. */
  async add(batch: RemovedBatch): Promise<void> {
    await this.leaves.push(batch.type, batch.ids);
    const tally = this.byType.get(batch.type) ?? { count: 0, bytes: 0 };
    this.byType.set(batch.type, { count: tally.count + batch.ids.length, bytes: tally.bytes + batch.bytes });
    this.filesRemoved += batch.files;
    this.seen.batches += 1;
    this.seen.seqSum = (BigInt(this.seen.seqSum) + BigInt(batch.seq)).toString();
  }

  /** Counts survivors found by a check (countSurvivors) of batches already added. */
  addSurvivors(n: number): void {
    this.survivors += n;
  }

  /** Whether exactly the batches of `set` were added. */
  covers(set: BatchSet): boolean {
    return this.seen.batches === set.batches && this.seen.seqSum === set.seqSum;
  }

  /** The figures; the tally is done with after this. */
  async summary(): Promise<RemovedSummary> {
    const { root, size } = await this.leaves.root();
    return {
      objectsRoot: root.toString('hex'),
      leafCount: size,
      byType: OBJECT_TABLES.filter((t) => this.byType.has(t.type)).map((t) => ({
        type: t.type,
        ...this.byType.get(t.type)!,
      })),
      filesRemoved: this.filesRemoved,
      survivors: this.survivors,
    };
  }

  /** Gives the tally up without figures. */
  discard(): void {
    this.leaves.discard();
  }
}

/**
 * How many of a batch's ids still have an object row or an attachment row: two primary-key /
 * `attachments_object` index lookups per id, in one statement.
 */
export async function countSurvivors(sql: Sql, batch: Pick<RemovedBatch, 'type' | 'ids'>): Promise<number> {
  const table = OBJECT_TABLES.find((t) => t.type === batch.type)!.table;
  const row = await sql.one<{ n: number }>(
    `SELECT ((SELECT count(*) FROM ${table} WHERE id = ANY($1::uuid[]))
      + (SELECT count(*) FROM attachments WHERE object_type = $2 AND object_id = ANY($1::uuid[])))::int AS n`,
    [batch.ids, batch.type],
  );
  return row?.n ?? 0;
}

/**
 * The whole summary from the recorded batches, in one streaming pass (the path after a crash or a
 * takeover, when no fold saw every chunk): each batch's leaves and its survivor check.
 */
export async function summariseRemoved(sql: Sql, deletionId: string, salt: Buffer): Promise<RemovedSummary> {
  const tally = new RemovedTally(new InlineLeafSink(salt));
  for await (const batch of removedBatches(sql, deletionId)) {
    await tally.add(batch);
    tally.addSurvivors(await countSurvivors(sql, batch));
  }
  return tally.summary();
}
