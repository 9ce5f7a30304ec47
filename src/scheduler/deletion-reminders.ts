import { Database } from '../database/database';
import { DeletionEventType, publishDeletionEvent } from '../domain/deletion/deletion-events';
import { DEFAULT_REMINDER_HOURS } from '../domain/deletion/deletion-settings.service';
import { DeletionStatus } from '../domain/deletion/deletion-status';
import { NotificationKind, NotificationService } from '../domain/notifications/notification.service';
import { enqueueWebhookEvent } from '../domain/webhooks/webhook-events';

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
 * deletion-lease.ts); the index holds only pending, unreminded deletions, at most one per workspace.
 */
const DUE_REMINDERS_SQL = `
  SELECT d.id AS "deletionId", d.workspace_id AS "workspaceId"
  FROM deletions d LEFT JOIN deletion_settings s ON s.workspace_id = d.workspace_id
  CROSS JOIN LATERAL (SELECT d.execute_after - (CASE WHEN s.workspace_id IS NULL THEN $2 ELSE s.reminder_hours_before END)
    * interval '1 hour' AS opens) w
  WHERE d.status = '${PENDING}' AND d.reminded_at IS NULL AND d.execute_after > $1
    AND w.opens <= $1 AND w.opens > d.activated_at
  ORDER BY d.execute_after`;

/**
 * The claim that makes a reminder exactly-once however many instances tick: the first UPDATE to
 * commit sets reminded_at; another one waits for its row lock, then finds reminded_at set and
 * changes nothing. A cancel or the executor's claim that committed first leaves it not PENDING.
 */
const CLAIM_REMINDER_SQL = `
  UPDATE deletions SET reminded_at = $2
  WHERE id = $1 AND reminded_at IS NULL AND status = '${PENDING}'
  RETURNING id`;

/**
 * Sends every reminder due at `now`: for each deletion, in one transaction, the claim, a
 * DELETION_REMINDER notification for every admin of its workspace and the REMINDER event, so the
 * reminder is told exactly when its claim commits (rule 10).
 */
export async function sendDueReminders(
  db: Database,
  notifications: NotificationService,
  now: Date,
): Promise<SentReminder[]> {
  const due = await db.rows<SentReminder>(DUE_REMINDERS_SQL, [now, DEFAULT_REMINDER_HOURS]);
  const sent: SentReminder[] = [];
  for (const reminder of due) {
    const claimed = await db.transaction(async (tx) => {
      if (!(await tx.one(CLAIM_REMINDER_SQL, [reminder.deletionId, now]))) return false;
      const { workspaceId, deletionId } = reminder;
      await notifications.notifyAdmins(tx, workspaceId, NotificationKind.DELETION_REMINDER, deletionId, now);
      const event = {
        type: DeletionEventType.REMINDER,
        workspaceId,
        deletionId,
        actorId: null,
        occurredAt: now.toISOString(),
      };
      await publishDeletionEvent(tx, event);
      await enqueueWebhookEvent(tx, event);
      return true;
    });
    if (claimed) sent.push(reminder);
  }
  return sent;
}
