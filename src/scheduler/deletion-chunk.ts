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
 * statement. The DELETE's WHERE clause is the re-check at delete time: a restored object has lost
 * its mark (and its archived_at), so it is no longer in the batch (its mark's generation up to the
 * one the deletion froze: batch-membership.ts) and never touched; so has an object a legal hold
 * took out, and `held_count = 0` re-checks the hold itself. A row another transaction changed
 * after this statement's snapshot is re-read and re-checked by PostgreSQL before it is deleted
 * (READ COMMITTED's re-check of the DELETE's own WHERE), so a restore or a hold committed meanwhile
 * is seen. Attachment rows and tombstones follow the objects actually deleted (`gone`), and the
 * files' keys go to the tombstone table in the same statement, so no file ever loses its row
 * without being queued for removal. A chunk that removes something also resets the deletion's
 * count of runs without progress, in the same statement.
 *
 * Rows locked by someone else (an archive call, a restore waiting for the deletion row this
 * transaction holds) are waited for only up to the chunk's lock_timeout (deletion-executor.ts);
 * the executor then retries the chunk with `skipLocked`, which picks with FOR UPDATE SKIP LOCKED
 * instead, so a lock cycle never forms and a stuck lock never stalls the run. The plain pick is
 * the usual case because locking each row before deleting it writes it twice: twice the WAL
 * records and ~40% longer statements, measured (BENCHMARKS.md, issue 25 goal 4).
 * The ORDER BY is that of `<table>_marked` (workspace, archived_at, id): it keeps the pick on that
 * index where the workspace is most of the table (without it, a sequential scan at 1M rows).
 */
function chunkSql({ table }: ObjectTable, record: boolean, skipLocked: boolean): string {
  const inDeletion = (t: string) =>
    `${t}.workspace_id = $2 AND ${inBatchSql(deletionGenerationSql('$1::uuid'), t)}
        AND ${t}.archived_at IS NOT NULL AND ${t}.held_count = 0`;
  return `
    WITH picked AS (
      SELECT id FROM ${table} c WHERE ${inDeletion('c')}
      ORDER BY archived_at DESC, id DESC LIMIT $3${skipLocked ? ' FOR UPDATE SKIP LOCKED' : ''}),
    gone AS (
      DELETE FROM ${table} t USING picked p WHERE t.id = p.id AND ${inDeletion('t')}
      RETURNING t.id, t.attachment_bytes),
    files AS (
      DELETE FROM attachments a USING gone g WHERE a.object_id = g.id AND a.object_type = $4
      RETURNING a.object_id, a.storage_key),
    tombs AS (
      INSERT INTO file_tombstones (storage_key, deletion_id) SELECT storage_key, $1 FROM files
      RETURNING id::text, storage_key AS key),${record ? RECORD_REMOVED : ''}
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
export async function removeChunk(tx: Sql, scope: ChunkScope, pendingTypes: readonly string[]): Promise<ChunkResult> {
  const pending = OBJECT_TABLES.filter((t) => pendingTypes.includes(t.type));
  const result = await removeFrom(tx, pending, scope);
  return result.objects > 0 ? result : removeFrom(tx, OBJECT_TABLES, scope);
}

/**
 * One chunk's bounds: which deletion, how many objects at most, whether removed refs are recorded,
 * and whether rows others lock are skipped rather than waited for (chunkSql).
 */
export interface ChunkScope {
  deletionId: string;
  workspaceId: string;
  limit: number;
  record: boolean;
  skipLocked: boolean;
}

async function removeFrom(
  tx: Sql,
  tables: readonly ObjectTable[],
  { deletionId, workspaceId, limit, record, skipLocked }: ChunkScope,
): Promise<ChunkResult> {
  const result: ChunkResult = { objects: 0, bytes: 0, tombstones: [], removed: [] };
  for (const table of tables) {
    const left = limit - result.objects;
    if (left <= 0) break;
    const row = await tx.one<ChunkResult>(chunkSql(table, record, skipLocked), [
      deletionId,
      workspaceId,
      left,
      table.type,
    ]);
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
