import { Sql } from '../../database/database';
import { OBJECT_TABLES } from '../../database/object-tables';
import { leafData, leafHash, StreamingMerkle } from './merkle';

/** Removed refs read per statement: bounded memory whatever the deletion's size. */
const REMOVED_PAGE = 5_000;

/** One removed object as the executor recorded it (deletion-chunk.ts): ref, bytes, file count. */
export interface RemovedRow {
  seq: string;
  type: string;
  id: string;
  bytes: number;
  files: number;
  /** The leaf hash the chunk computed; null when the workspace had no salt yet then. */
  leaf: Buffer | null;
}

/**
 * A deletion's removed objects in the order they were removed, a page at a time. Keyset over the
 * primary key (deletion_id, seq): an index range scan per page at any size (EXPLAIN at 1M rows:
 * Index Scan using deletion_removed_pkey, docs/receipts.md).
 */
export async function* removedPages(
  sql: Sql,
  deletionId: string,
  pageSize = REMOVED_PAGE,
): AsyncGenerator<RemovedRow[]> {
  let after = '0';
  for (;;) {
    const rows = await sql.rows<RemovedRow>(
      // Ordered by the column, qualified: a bare `seq` would name the text output column and sort '10' before '9'.
      `SELECT r.seq::text AS seq, r.object_type AS type, r.object_id::text AS id, r.bytes::float8 AS bytes, r.files, r.leaf
       FROM deletion_removed r WHERE r.deletion_id = $1 AND r.seq > $2::bigint ORDER BY r.seq LIMIT $3`,
      [deletionId, after, pageSize],
    );
    if (rows.length > 0) yield rows;
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
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
 * One streaming pass over a deletion's removed objects: the Merkle root of their salted leaves, the
 * per-type figures, and the check that none of them (nor their attachment rows) remains. Holds one
 * page and O(log n) hashes, never the whole list.
 */
export async function summariseRemoved(sql: Sql, deletionId: string, salt: Buffer): Promise<RemovedSummary> {
  const tree = new StreamingMerkle();
  const byType = new Map<string, { count: number; bytes: number }>();
  let filesRemoved = 0;
  let survivors = 0;
  for await (const rows of removedPages(sql, deletionId)) {
    for (const row of rows) {
      tree.push(leafOf(row, salt));
      const tally = byType.get(row.type) ?? { count: 0, bytes: 0 };
      byType.set(row.type, { count: tally.count + 1, bytes: tally.bytes + row.bytes });
      filesRemoved += row.files;
    }
    survivors += await countSurvivors(sql, rows);
  }
  return {
    objectsRoot: tree.root().toString('hex'),
    leafCount: tree.size,
    byType: OBJECT_TABLES.filter((t) => byType.has(t.type)).map((t) => ({ type: t.type, ...byType.get(t.type)! })),
    filesRemoved,
    survivors,
  };
}

/**
 * How many of a page's refs still have an object row or an attachment row, in one statement: per
 * type present, a primary-key lookup on the object table and one on `attachments_object`.
 */
async function countSurvivors(sql: Sql, rows: readonly RemovedRow[]): Promise<number> {
  const params: string[][] = [];
  const parts: string[] = [];
  for (const { type, table } of OBJECT_TABLES) {
    const ids = rows.filter((row) => row.type === type).map((row) => row.id);
    if (ids.length === 0) continue;
    params.push(ids);
    const p = `$${params.length}::uuid[]`;
    parts.push(`SELECT count(*) FROM ${table} WHERE id = ANY(${p})`);
    parts.push(`SELECT count(*) FROM attachments WHERE object_type = '${type}' AND object_id = ANY(${p})`);
  }
  const row = await sql.one<{ n: number }>(
    `SELECT coalesce(sum(n), 0)::int AS n FROM (${parts.join(' UNION ALL ')}) s(n)`,
    params,
  );
  return row?.n ?? 0;
}

/** A removed row's leaf hash: the one its chunk computed, or computed now from the workspace's salt. */
export function leafOf(row: RemovedRow, salt: Buffer): Buffer {
  return row.leaf ?? leafHash(leafData(salt, row.type, row.id));
}
