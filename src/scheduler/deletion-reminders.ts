import { Database } from '../database/database';
import { DEFAULT_REMINDER_HOURS } from '../domain/deletion/deletion-settings-row';
import { DeletionStatus } from '../domain/deletion/deletion-status';
import { ClaimedDeletion, DeletionLifecycle } from '../domain/deletion/lifecycle/deletion-lifecycle';

const { PENDING } = DeletionStatus;

/** A deletion whose reminder this instance sent. */
export interface SentReminder {
  deletionId: string;
  workspaceId: string;
}

/**
 * PENDING deletions not yet reminded whose window is open at `$1`: they execute after `$1`, within
 * their workspace's `reminder_hours_before` of it (24 without a settings row; none when null).
 * Only deletions whose window opened after their activation: one activated with less time left
 * than that was announced to every admin by its DELETION_ACTIVATED notification, inside the window
 * already. One whose window opened while no tick ran (the scheduler was down) is reminded late.
 * One already due is left to the executor: a reminder after the fact tells nobody anything.
 * PENDING is written into the text so the partial index `deletions_to_remind` matches (see
 * lifecycle-sql.ts); the index holds only pending, unreminded deletions, at most one per workspace.
 */
const DUE_REMINDERS_SQL = `
  SELECT d.id, d.workspace_id AS "workspaceId"
  FROM deletions d LEFT JOIN deletion_settings s ON s.workspace_id = d.workspace_id
  CROSS JOIN LATERAL (SELECT d.execute_after - (CASE WHEN s.workspace_id IS NULL THEN $2 ELSE s.reminder_hours_before END)
    * interval '1 hour' AS opens) w
  WHERE d.status = '${PENDING}' AND d.reminded_at IS NULL AND d.execute_after > $1
    AND w.opens <= $1 AND w.opens > d.activated_at
  ORDER BY d.execute_after`;

/**
 * Sends every reminder due at `now`: for each deletion, in one transaction, the lifecycle's
 * `remind` (the exactly-once claim, a DELETION_REMINDER notification for every admin of its
 * workspace and the REMINDER event), so the reminder is told exactly when its claim commits (rule 10).
 */
export async function sendDueReminders(db: Database, lifecycle: DeletionLifecycle, now: Date): Promise<SentReminder[]> {
  const due = await db.rows<ClaimedDeletion>(DUE_REMINDERS_SQL, [now, DEFAULT_REMINDER_HOURS]);
  const sent: SentReminder[] = [];
  for (const deletion of due) {
    if (await db.transaction((tx) => lifecycle.remind(tx, deletion, now))) {
      sent.push({ deletionId: deletion.id, workspaceId: deletion.workspaceId });
    }
  }
  return sent;
}
