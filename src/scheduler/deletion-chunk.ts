import { Sql } from '../database/database';
import { OBJECT_TABLES, ObjectTable } from '../database/object-tables';
import { batchOfSql, deletionGenerationSql, inBatchSql } from '../domain/deletion/batch-membership';
import { RemovedBatch } from '../domain/receipts/removed-batches';

/** What one committed chunk removed; its tombstones name the files to delete after the commit. */
export interface ChunkResult {
  objects: number;
  bytes: number;
  tombstones: { id: string; key: string }[];
  /** The rows it recorded in `deletion_removed` (none when recording is off). */
  removed: RemovedBatch[];
}

/**
 * What the receipt is built from (src/domain/receipts): one row per chunk and type holding the
 * removed ids (in the order they count as Merkle leaves), their bytes and file count, committed
 * with the delete, so a crash can never leave a receipt counting what was not removed. One row,
 * not one per object: recording costs next to nothing (bench/receipts.bench.ts). The ids come back
 * to the executor, which folds them into the receipt while the next chunk runs.
 */
const RECORD_REMOVED = `
    removed AS (
      INSERT INTO deletion_removed (deletion_id, object_type, ids, bytes, files)
      SELECT $1, $4, array_agg(id), sum(attachment_bytes), (SELECT count(*) FROM files) FROM gone HAVING count(*) > 0
      RETURNING seq::text, object_type AS type, ids::text[] AS ids, bytes::float8 AS bytes, files),`;

/**
 * Removes up to `limit` objects of one type from the deletion, with their attachment rows, in one
 * statement. The WHERE clause is the re-check at delete time: a restored object has lost its
 * mark (and its archived_at), so it is no longer in the batch (its mark's generation up to the one
 * the deletion froze: batch-membership.ts) and never touched; so has an object a legal hold took
 * out, and `held_count = 0` re-checks the hold itself on the very row version it locks (a hold
 * committed after this statement's snapshot is seen: FOR UPDATE re-reads the row). Rows locked by someone else (an
 * archive call, a restore waiting for the deletion row) are skipped, not waited for, so this
 * never deadlocks; a later chunk takes them. The files' keys go to the tombstone table in the
 * same statement, so no file ever loses its row without being queued for removal. A chunk that
 * removes something also resets the deletion's count of runs without progress, in the same statement.
 * The ORDER BY is that of `<table>_marked` (workspace, archived_at, id): it keeps the pick on that
 * index where the workspace is most of the table (without it, a sequential scan at 1M rows).
 */
function chunkSql({ table }: ObjectTable, record: boolean): string {
  return `
    WITH picked AS (
      SELECT id FROM ${table}
      WHERE workspace_id = $2 AND ${inBatchSql(deletionGenerationSql('$1::uuid'))}
        AND archived_at IS NOT NULL AND held_count = 0
      ORDER BY archived_at DESC, id DESC LIMIT $3 FOR UPDATE SKIP LOCKED),
    tombs AS (
      INSERT INTO file_tombstones (storage_key, deletion_id)
      SELECT a.storage_key, $1 FROM attachments a JOIN picked p ON a.object_id = p.id AND a.object_type = $4
      RETURNING id::text, storage_key AS key),
    -- Data-modifying CTEs run to completion whether or not the SELECT reads them.
    files AS (
      DELETE FROM attachments a USING picked p WHERE a.object_id = p.id AND a.object_type = $4 RETURNING a.object_id),
    gone AS (
      DELETE FROM ${table} t USING picked p WHERE t.id = p.id RETURNING t.id, t.attachment_bytes),${record ? RECORD_REMOVED : ''}
    totals AS (SELECT count(*) AS n, coalesce(sum(attachment_bytes), 0) AS bytes FROM gone),
    progress AS (
      UPDATE deletion_type_volumes v SET done_count = v.done_count + totals.n, done_bytes = v.done_bytes + totals.bytes
      FROM totals WHERE v.deletion_id = $1 AND v.object_type = $4 AND totals.n > 0),
    -- Progress was made: the count of runs without progress starts again (no row write when it is 0 already).
    fresh_attempts AS (
      UPDATE deletions d SET attempts = 0 FROM totals WHERE d.id = $1 AND totals.n > 0 AND d.attempts <> 0)
    SELECT totals.n::int AS objects, totals.bytes::float8 AS bytes,
      (SELECT coalesce(json_agg(tombs), '[]') FROM tombs) AS tombstones,
      ${record ? `(SELECT coalesce(json_agg(removed), '[]') FROM removed)` : `'[]'::json`} AS removed
    FROM totals`;
}

/**
 * Removes up to `limit` objects of the deletion, in the caller's transaction. Only the types whose
 * volumes say objects remain are visited first (one statement each, not seven per chunk); if that
 * removes nothing, every type is swept, so a drifted counter can never leave an object behind.
 */
export async function removeChunk(
  tx: Sql,
  deletionId: string,
  workspaceId: string,
  limit: number,
  pendingTypes: readonly string[],
  record = true,
): Promise<ChunkResult> {
  const pending = OBJECT_TABLES.filter((t) => pendingTypes.includes(t.type));
  const result = await removeFrom(tx, pending, { deletionId, workspaceId, limit, record });
  return result.objects > 0 ? result : removeFrom(tx, OBJECT_TABLES, { deletionId, workspaceId, limit, record });
}

/** One chunk's bounds: which deletion, how many objects at most, and whether removed refs are recorded. */
interface ChunkScope {
  deletionId: string;
  workspaceId: string;
  limit: number;
  record: boolean;
}

async function removeFrom(
  tx: Sql,
  tables: readonly ObjectTable[],
  { deletionId, workspaceId, limit, record }: ChunkScope,
): Promise<ChunkResult> {
  const result: ChunkResult = { objects: 0, bytes: 0, tombstones: [], removed: [] };
  for (const table of tables) {
    const left = limit - result.objects;
    if (left <= 0) break;
    const row = await tx.one<ChunkResult>(chunkSql(table, record), [deletionId, workspaceId, left, table.type]);
    if (!row || row.objects === 0) continue;
    result.objects += row.objects;
    result.bytes += row.bytes;
    result.tombstones.push(...row.tombstones);
    result.removed.push(...row.removed);
  }
  return result;
}

/** One object of a deletion, named by type and id (nothing of its content). */
export interface ObjectRef {
  type: string;
  id: string;
}

/**
 * Up to `limit` objects still in the deletion (in any state), in one statement. Called when a
 * chunk removed nothing: what is left then is locked by other transactions, and these name it.
 */
export async function objectsLeft(tx: Sql, deletionId: string, limit: number): Promise<ObjectRef[]> {
  const selects = OBJECT_TABLES.map(
    ({ table, type }) =>
      `(SELECT '${type}' AS type, id FROM ${table} WHERE ${batchOfSql('$1::uuid')}
        ORDER BY archived_at DESC, id DESC LIMIT $2)`,
  );
  return tx.rows<ObjectRef>(`${selects.join(' UNION ALL ')} LIMIT $2`, [deletionId, limit]);
}
