import { Sql } from '../../database/database';
import { keyInstant, keyMicros } from '../../database/keyset';
import { SqlFilter, SqlParams } from '../../database/sql';
import { ObjectTable } from '../../database/object-tables';
import { deletionGenerationSql, inBatchSql } from '../deletion/batch-membership';

/** Rows per chunk of a hold placed or released by filter: the size bulk marking uses (MARK_CHUNK_ROWS). */
export const HOLD_CHUNK_ROWS = 10_000;

/** Where a hold's walk over one table stands: the last row covered, newest archived first. */
export type HoldCursor = [micros: string, id: string];

/** What one cover statement did. */
export interface CoverResult {
  /** Objects the statement put under the hold. */
  covered: number;
  /** Of those, how many it took out of the selection or out of a pending deletion. */
  unmarked: number;
  /** Ids covered, when asked for (a hold by refs checks that every ref was found). */
  ids: string[] | null;
  /** The last row covered, for the next chunk; null when the statement covered nothing. */
  last: HoldCursor | null;
}

/**
 * Puts the rows `where` picks under hold `holdId`, in one statement: locks them (waiting for an
 * executor's chunk that holds some, which then finds them gone), adds the membership rows, raises
 * `held_count`, and takes each one out of the selection or its deletion as a restore does: the
 * deletion's frozen per-type figures shrink in the same statement, the stats triggers move the
 * counters. The UPDATE finds the rows by primary key through an id array (a join to the CTE made
 * the planner scan the whole table, see selection.service.ts).
 */
export async function coverRows(
  tx: Sql,
  table: ObjectTable,
  holdId: string,
  filter: SqlFilter,
  options: { limit: number; after: HoldCursor | null; returnIds: boolean; deletionId: string | null },
): Promise<CoverResult> {
  const params = filter.params.copy();
  const conditions = [...filter.conditions];
  if (options.after)
    conditions.push(
      `(archived_at, id) < (${keyInstant(params, options.after[0])}, ${params.add(options.after[1])}::uuid)`,
    );
  // A walk by filter goes newest archived first, along the `<table>_archived` index, and resumes after its cursor.
  const order = options.returnIds ? '' : 'ORDER BY archived_at DESC, id DESC';
  const hold = params.add(holdId);
  const deletion = params.add(options.deletionId);
  const row = await tx.one<CoverResult>(
    `WITH picked AS (
       SELECT id, workspace_id, archived_at, marked_at, attachment_bytes,
         coalesce(${inBatchSql(deletionGenerationSql(`${deletion}::uuid`))}, false) AS in_batch FROM ${table.table}
       WHERE ${conditions.join(' AND ')} ${order} LIMIT ${params.add(options.limit)} FOR UPDATE),
     members AS (
       INSERT INTO legal_hold_objects (hold_id, workspace_id, object_type, object_id)
       SELECT ${hold}, workspace_id, '${table.type}', id FROM picked),
     upd AS (
       UPDATE ${table.table} t SET held_count = t.held_count + 1, marked_at = NULL, marked_by = NULL
       WHERE t.id = ANY(ARRAY(SELECT id FROM picked)) RETURNING 1),
     -- The workspace's one active deletion (locked by the caller) is the only one objects can be
     -- in: its figures row is found by primary key (a join let the planner scan every deletion's).
     shrink AS (
       UPDATE deletion_type_volumes v SET count = v.count - d.n, bytes = v.bytes - d.b
       FROM (SELECT count(*) AS n, coalesce(sum(attachment_bytes), 0) AS b FROM picked
             WHERE in_batch) d
       WHERE v.deletion_id = ${deletion}::uuid AND v.object_type = '${table.type}' AND d.n > 0),
     last AS (SELECT archived_at, id FROM picked ORDER BY archived_at, id LIMIT 1)
     SELECT (SELECT count(*) FROM upd)::int AS covered,
       (SELECT count(*) FROM picked WHERE marked_at IS NOT NULL)::int AS unmarked,
       CASE WHEN ${params.add(options.returnIds)}::boolean THEN ARRAY(SELECT id::text FROM picked) END AS ids,
       (SELECT json_build_array(${keyMicros('archived_at')}, id) FROM last
        WHERE archived_at IS NOT NULL) AS last`,
    params.values,
  );
  return row!;
}

// Below every uuid: where a release's walk over one type starts.
const FIRST_UUID = '00000000-0000-0000-0000-000000000000';

/**
 * Takes up to `limit` objects of one table out of hold `holdId`, after object id `after`: deletes
 * their membership rows and lowers `held_count`, in one statement. It walks the PRIMARY KEY
 * (hold_id, object_type, object_id) in order from where the previous chunk ended, so no chunk
 * reads the entries the earlier ones deleted (without the bound, the planner read the table from
 * its start, past every dead row of the chunks before). Returns the count and the last id.
 */
export async function uncoverRows(
  tx: Sql,
  table: ObjectTable,
  holdId: string,
  limit: number,
  after: string | null,
): Promise<{ n: number; last: string | null }> {
  const row = await tx.one<{ n: number; last: string | null }>(
    `WITH picked AS (
       SELECT object_id FROM legal_hold_objects WHERE hold_id = $1 AND object_type = $2 AND object_id > $4::uuid
       ORDER BY object_id LIMIT $3),
     gone AS (
       DELETE FROM legal_hold_objects m
       WHERE m.hold_id = $1 AND m.object_type = $2 AND m.object_id = ANY(ARRAY(SELECT object_id FROM picked))
       RETURNING m.object_id),
     upd AS (
       UPDATE ${table.table} t SET held_count = t.held_count - 1
       WHERE t.id = ANY(ARRAY(SELECT object_id FROM gone)) RETURNING 1)
     SELECT (SELECT count(*) FROM gone)::int AS n,
       (SELECT object_id::text FROM picked ORDER BY object_id DESC LIMIT 1) AS last`,
    [holdId, table.type, limit, after ?? FIRST_UUID],
  );
  return row!;
}

/** The WHERE of the rows of one table a hold by refs names. */
export function refsFilter(workspaceId: string, ids: readonly string[]): SqlFilter {
  const params = new SqlParams();
  return { conditions: [`workspace_id = ${params.add(workspaceId)}`, `id = ANY(${params.add(ids)}::uuid[])`], params };
}
