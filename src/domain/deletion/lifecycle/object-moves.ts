import { Sql } from '../../../database/database';

/**
 * Freezes the selection's figures into the deletion (activate): the workspace's counters of marked
 * objects (type_stats, kept exact by the triggers) become the deletion's per-type volumes and drop
 * to zero, one statement over at most seven rows, whatever the selection's size. The objects
 * themselves are not written: the deletion's generation makes them its batch (batch-membership.ts).
 * The counter rows are locked and subtracted, not zeroed, so the figures moved are the ones removed.
 */
export async function freezeSelection(tx: Sql, workspaceId: string, deletionId: string): Promise<void> {
  await tx.rows(
    `WITH marked AS (
       SELECT object_type, marked_count, marked_bytes FROM type_stats
       WHERE workspace_id = $1 AND (marked_count <> 0 OR marked_bytes <> 0) FOR UPDATE),
     emptied AS (
       UPDATE type_stats s SET marked_count = s.marked_count - m.marked_count, marked_bytes = s.marked_bytes - m.marked_bytes
       FROM marked m WHERE s.workspace_id = $1 AND s.object_type = m.object_type)
     INSERT INTO deletion_type_volumes (deletion_id, object_type, count, bytes)
     SELECT $2, object_type, marked_count, marked_bytes FROM marked WHERE marked_count > 0`,
    [workspaceId, deletionId],
  );
}

/**
 * Hands a deletion's remaining objects back to the selection, still marked (cancel, or a run given
 * up as FAILED), so admins can add more and activate again: once the deletion is no longer active
 * its generation no longer claims them, so only the counters move, what is left of each type's
 * volume (frozen figures less what restores, holds and the executor took) back to type_stats.
 */
export async function returnToSelection(tx: Sql, deletionId: string): Promise<void> {
  await tx.rows(
    `INSERT INTO type_stats AS s (workspace_id, object_type, marked_count, marked_bytes)
     SELECT d.workspace_id, v.object_type, v.count - v.done_count, v.bytes - v.done_bytes
     FROM deletion_type_volumes v JOIN deletions d ON d.id = v.deletion_id
     WHERE v.deletion_id = $1 AND (v.count <> v.done_count OR v.bytes <> v.done_bytes)
     ON CONFLICT (workspace_id, object_type) DO UPDATE SET marked_count = s.marked_count + excluded.marked_count,
       marked_bytes = s.marked_bytes + excluded.marked_bytes`,
    [deletionId],
  );
}
