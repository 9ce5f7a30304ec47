import { Sql } from '../../../database/database';
import { OBJECT_TABLES } from '../../../database/object-tables';

/**
 * Freezes the selection into the deletion (activate): per table one UPDATE that also writes the
 * type's count and bytes from the very rows it changed, so the figures cannot drift from the set.
 */
export async function freezeSelection(tx: Sql, workspaceId: string, deletionId: string): Promise<void> {
  for (const { table, type } of OBJECT_TABLES) {
    await tx.rows(
      `WITH u AS (UPDATE ${table} SET deletion_id = $2
                  WHERE workspace_id = $1 AND marked_at IS NOT NULL AND deletion_id IS NULL
                  RETURNING attachment_bytes)
       INSERT INTO deletion_type_volumes (deletion_id, object_type, count, bytes)
       SELECT $2, $3, count(*), coalesce(sum(attachment_bytes), 0) FROM u HAVING count(*) > 0`,
      [workspaceId, deletionId, type],
    );
  }
}

/**
 * Puts a deletion's remaining objects back into the selection, still marked (cancel, or a run
 * given up as FAILED), so admins can add more and activate again; the triggers move the counters.
 */
export async function returnToSelection(tx: Sql, deletionId: string): Promise<void> {
  for (const { table } of OBJECT_TABLES) {
    await tx.rows(`UPDATE ${table} SET deletion_id = NULL WHERE deletion_id = $1`, [deletionId]);
  }
}
