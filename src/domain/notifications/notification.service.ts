import { Sql } from '../../database/database';
import { Role } from '../domain-types';

/** What a notification is about; `Notification.kind` in the API. */
export enum NotificationKind {
  DELETION_ACTIVATED = 'DELETION_ACTIVATED',
  DELETION_CANCELLED = 'DELETION_CANCELLED',
  DELETION_COMPLETED = 'DELETION_COMPLETED',
  DELETION_FAILED = 'DELETION_FAILED',
  /** A pending deletion executes soon (the workspace's `reminderHoursBefore`). */
  DELETION_REMINDER = 'DELETION_REMINDER',
  /** An admin changed the retention policy or the reminder; no deletion attached. */
  DELETION_SETTINGS_CHANGED = 'DELETION_SETTINGS_CHANGED',
  /** A webhook endpoint failed for longer than WEBHOOK_DISABLE_AFTER and was disabled; no deletion attached. */
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
}

/** Writes persistent notifications: the catch-up path for admins who were offline when an event was published. */
export class NotificationService {
  /**
   * Writes one notification for every administrator of the workspace, inside the caller's
   * transaction, so the notifications exist exactly when the change they describe commits.
   */
  async notifyAdmins(
    tx: Sql,
    workspaceId: string,
    kind: NotificationKind,
    deletionId: string | null,
    at: Date,
  ): Promise<number> {
    const rows = await tx.rows(
      `INSERT INTO notifications (workspace_id, user_id, kind, deletion_id, created_at)
       SELECT workspace_id, id, $2, $3, $4 FROM users WHERE workspace_id = $1 AND role = $5
       RETURNING id`,
      [workspaceId, kind, deletionId, at, Role.ADMIN],
    );
    return rows.length;
  }
}
