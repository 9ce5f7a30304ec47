import { Database } from '../database/database';
import { sqlLiterals } from '../database/sql';
import { ACTIVE_DELETION_STATUSES } from '../domain/deletion/deletion-status';
import { SelectionService } from '../domain/deletion/selection.service';

const DAY_MS = 86_400_000;

/** What the policy marked in one workspace during a tick. */
export interface AutoMarked {
  workspaceId: string;
  marked: number;
}

/**
 * Workspaces with an auto-mark policy and no PENDING or EXECUTING deletion (rule 4: their selection
 * is frozen). The partial index `deletion_settings_auto_mark` holds only the first; the second is
 * the unique index `deletions_one_active`. The selection re-checks it under the workspace lock.
 */
const POLICY_WORKSPACES_SQL = `
  SELECT s.workspace_id AS "workspaceId", s.auto_mark_after_days AS days
  FROM deletion_settings s
  WHERE s.auto_mark_after_days IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM deletions d WHERE d.workspace_id = s.workspace_id
                    AND d.status IN (${sqlLiterals(ACTIVE_DELETION_STATUSES)}))`;

/**
 * Applies every workspace's retention policy at `now`: marks the archived objects archived more
 * than `autoMarkAfterDays` days before it, through the selection's own mark by filter (chunks of
 * 10,000 under the workspace lock, tasks only when removable, counters kept by the triggers).
 * A workspace whose lock is taken (an admin's change, another instance's tick) waits for the next
 * tick instead of holding this one up; marking is idempotent, so the next tick finishes the rest.
 */
export async function applyRetentionPolicies(
  db: Database,
  selection: SelectionService,
  now: Date,
): Promise<AutoMarked[]> {
  const workspaces = await db.rows<{ workspaceId: string; days: number }>(POLICY_WORKSPACES_SQL);
  const results: AutoMarked[] = [];
  for (const { workspaceId, days } of workspaces) {
    const before = new Date(now.getTime() - days * DAY_MS);
    const change = await selection.markArchivedBefore(workspaceId, before, now);
    if (change && change.changed > 0) results.push({ workspaceId, marked: change.changed });
  }
  return results;
}
