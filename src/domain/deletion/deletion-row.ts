import { Sql } from '../../database/database';
import { ObjectType } from '../../database/object-tables';
import { ACTIVE_DELETION_STATUSES, DeletionStatus } from './deletion-status';

/** One permanent-deletion batch as stored; ids only for people, never anything of the destroyed objects. */
export interface DeletionRow {
  id: string;
  workspaceId: string;
  status: DeletionStatus;
  activatedAt: Date;
  activatedById: string;
  executeAfter: Date;
  cancelledAt: Date | null;
  cancelledById: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  failureReason: string | null;
  /** Files of removed objects still waiting to be deleted from the file store (tombstones). */
  filesPending: number;
}

/** The frozen figures of one type in a deletion, and how far execution got. */
export interface DeletionVolumeRow {
  deletionId: string;
  type: ObjectType;
  count: number;
  bytes: number;
  doneCount: number;
  doneBytes: number;
}

/** The SELECT list that reads a `deletions` row as a DeletionRow. */
export const DELETION_COLUMNS = `id, workspace_id AS "workspaceId", status, activated_at AS "activatedAt",
  activated_by AS "activatedById", execute_after AS "executeAfter", cancelled_at AS "cancelledAt",
  cancelled_by AS "cancelledById", started_at AS "startedAt", completed_at AS "completedAt",
  failure_reason AS "failureReason",
  (SELECT count(*) FROM file_tombstones t WHERE t.deletion_id = deletions.id)::int AS "filesPending"`;

/** The workspace's PENDING or EXECUTING deletion (at most one: the partial unique index), if any. */
export function activeDeletion(sql: Sql, workspaceId: string): Promise<DeletionRow | undefined> {
  return sql.one<DeletionRow>(
    `SELECT ${DELETION_COLUMNS} FROM deletions WHERE workspace_id = $1 AND status = ANY($2::text[])`,
    [workspaceId, ACTIVE_DELETION_STATUSES],
  );
}
