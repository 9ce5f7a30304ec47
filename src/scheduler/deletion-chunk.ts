import { Sql } from '../database/database';
import { OBJECT_TABLES, ObjectTable } from '../database/object-tables';
import { batchOfSql, deletionGenerationSql, inBatchSql } from '../domain/deletion/batch-membership';
import { notifyDeletionEventSql } from '../domain/deletion/deletion-events';
import { DeletionStatus } from '../domain/deletion/deletion-status';
import { RemovedBatch } from '../domain/receipts/removed-batches';

const { EXECUTING } = DeletionStatus;

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
 * One chunk: up to `limit` objects of one type removed from the deletion, with their attachment
 * rows, in one statement that is its own transaction (autocommit: one round trip, where a
 * transaction took five; BENCHMARKS.md, issue 25 goal 4). In the order it runs:
 *
 * - `lease` locks the deletion row (before any object row: restore's and a hold's order) and
 *   matches only while the deletion is EXECUTING under this instance's lease; every other part
 *   needs it, so a run that lost its lease removes nothing. Unless the chunk skips locked rows, it
 *   also bounds how long the chunk waits for a row lock (the transaction's lock_timeout).
 * - The DELETE's WHERE clause is the re-check at delete time: a restored object has lost its mark
 *   (and its archived_at), so it is no longer in the batch (its mark's generation up to the one
 *   the deletion froze: batch-membership.ts) and never touched; so has an object a legal hold took
 *   out, and `held_count = 0` re-checks the hold itself. A row another transaction changed after
 *   this statement's snapshot is re-read and re-checked by PostgreSQL before it is deleted (READ
 *   COMMITTED's re-check of the DELETE's own WHERE), so a restore or a hold committed meanwhile is seen.
 * - Attachment rows and tombstones follow the objects actually deleted (`gone`), and the files'
 *   keys go to the tombstone table in the same statement, so no file ever loses its row without
 *   being queued for removal. The tombstones of files deleted since the last chunk are forgotten.
 * - The per-type progress counters; the lease's renewal, which also resets the deletion's count of
 *   runs without progress when the chunk removed something; PROGRESS's NOTIFY when the lifecycle
 *   lets the statement send it (DeletionLifecycle.progressPayload; otherwise the executor calls
 *   `progress` in a transaction around this statement).
 *
 * Rows locked by someone else (an archive call, a restore waiting for the deletion row this
 * statement holds) are waited for only up to the chunk's lock_timeout (deletion-executor.ts); the
 * executor then retries with `skipLocked`, which picks with FOR UPDATE SKIP LOCKED instead, so a
 * lock cycle never forms and a stuck lock never stalls the run. The plain pick is the usual case
 * because locking each row before deleting it writes it twice: twice the WAL records and ~40%
 * longer statements, measured (BENCHMARKS.md, issue 25 goal 4). The ORDER BY is that of
 * `<table>_marked` (workspace, archived_at, id): it keeps the pick on that index where the
 * workspace is most of the table (without it, a sequential scan at 1M rows).
 *
 * Parameters: $1 deletion, $2 workspace, $3 limit, $4 type, $5 instance, $6 lease (ms), $7 the
 * lock wait (NULL: unchanged), $8 tombstones to forget, $9 PROGRESS's payload (NULL: not sent).
 */
function chunkSql({ table }: ObjectTable, record: boolean, skipLocked: boolean): string {
  const inDeletion = (t: string) =>
    `${t}.workspace_id = $2 AND ${inBatchSql(deletionGenerationSql('$1::uuid'), t)}
        AND ${t}.archived_at IS NOT NULL AND ${t}.held_count = 0`;
  return `
    WITH lease AS (
      SELECT d.id, set_config('lock_timeout', coalesce($7, current_setting('lock_timeout')), true)
      FROM deletions d WHERE d.id = $1 AND d.status = '${EXECUTING}' AND d.locked_by = $5 FOR NO KEY UPDATE),
    forgotten AS (DELETE FROM file_tombstones WHERE id = ANY($8::bigint[])),
    picked AS (
      SELECT id FROM ${table} c WHERE EXISTS (SELECT FROM lease) AND ${inDeletion('c')}
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
    -- The lease renewed; a chunk that removed something also starts the count of runs without progress again.
    renewed AS (
      UPDATE deletions d SET locked_until = clock_timestamp() + $6 * interval '1 millisecond',
        attempts = CASE WHEN totals.n > 0 THEN 0 ELSE d.attempts END
      FROM lease, totals WHERE d.id = lease.id),
    announced AS (SELECT ${notifyDeletionEventSql('$9')} FROM totals WHERE totals.n > 0 AND $9::text IS NOT NULL)
    SELECT EXISTS (SELECT FROM lease) AS owned, totals.n::int AS objects, totals.bytes::float8 AS bytes,
      (SELECT coalesce(json_agg(tombs), '[]') FROM tombs) AS tombstones,
      ${record ? `(SELECT coalesce(json_agg(removed), '[]') FROM removed)` : `'[]'::json`} AS removed,
      -- The types with objects left after this chunk (the counters as this statement leaves them).
      ARRAY(SELECT v.object_type FROM deletion_type_volumes v WHERE v.deletion_id = $1
        AND v.count > v.done_count + CASE WHEN v.object_type = $4 THEN totals.n ELSE 0 END) AS "pendingTypes",
      (SELECT count(*) FROM announced) AS announced
    FROM totals`;
}

/** One chunk's bounds and the run it belongs to (chunkSql's parameters). */
export interface ChunkScope {
  deletionId: string;
  workspaceId: string;
  limit: number;
  /** Whether the removed refs are recorded (`deletion_removed`, what receipts are built from). */
  record: boolean;
  /** Whether rows others lock are skipped rather than waited for (up to `lockWaitMs`). */
  skipLocked: boolean;
  instanceId: string;
  leaseMs: number;
  lockWaitMs: number;
  /** Tombstones whose files are deleted since: forgotten by this statement. */
  forget: readonly string[];
  /** PROGRESS's NOTIFY payload, sent by the statement if it removes something; undefined: not sent. */
  progressPayload: string | undefined;
}

/** A chunk's statement's answer: `owned` false when the run's lease is lost (nothing was written but the forgetting). */
export interface ChunkStatementResult extends ChunkResult {
  owned: boolean;
  /** The types whose counters say objects are left, after this chunk. */
  pendingTypes: string[];
}

/** One chunk of `table` as a statement and its parameters (chunkSql); test/deletion-chunk-plan.test.ts checks its plan. */
export function chunkStatement(scope: ChunkScope, table: ObjectTable): { text: string; params: unknown[] } {
  return {
    text: chunkSql(table, scope.record, scope.skipLocked),
    params: [
      scope.deletionId,
      scope.workspaceId,
      scope.limit,
      table.type,
      scope.instanceId,
      scope.leaseMs,
      scope.skipLocked ? null : `${scope.lockWaitMs}ms`,
      scope.forget,
      scope.progressPayload ?? null,
    ],
  };
}

/** Runs one chunk of `table` on `sql`: autocommit on the pool, or inside a caller's transaction. */
export async function removeChunk(sql: Sql, scope: ChunkScope, table: ObjectTable): Promise<ChunkStatementResult> {
  const { text, params } = chunkStatement(scope, table);
  return (await sql.one<ChunkStatementResult>(text, params))!;
}

/**
 * The order in which a run's chunks visit the types: those the counters say have objects left,
 * then every other one, so a drifted counter can never leave an object behind.
 */
export function typesToVisit(pendingTypes: readonly string[] | undefined): ObjectTable[] {
  if (!pendingTypes) return [...OBJECT_TABLES];
  const pending = OBJECT_TABLES.filter((t) => pendingTypes.includes(t.type));
  return [...pending, ...OBJECT_TABLES.filter((t) => !pendingTypes.includes(t.type))];
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
