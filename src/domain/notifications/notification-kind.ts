/**
 * What a notification is about; `Notification.kind` in the API. Only the deletion lifecycle writes
 * notifications (deletion/lifecycle/deletion-lifecycle.ts), one kind per event it announces.
 */
export enum NotificationKind {
  DELETION_ACTIVATED = 'DELETION_ACTIVATED',
  DELETION_CANCELLED = 'DELETION_CANCELLED',
  DELETION_COMPLETED = 'DELETION_COMPLETED',
  DELETION_FAILED = 'DELETION_FAILED',
  /** A pending deletion executes soon (the workspace's `reminderHoursBefore`). */
  DELETION_REMINDER = 'DELETION_REMINDER',
  /** An admin changed the retention policy or the reminder; no deletion attached. */
  DELETION_SETTINGS_CHANGED = 'DELETION_SETTINGS_CHANGED',
  /** An admin placed a legal hold (`hold_id`); its objects can be neither marked nor destroyed. */
  HOLD_PLACED = 'HOLD_PLACED',
  /** An admin released a legal hold (`hold_id`). */
  HOLD_RELEASED = 'HOLD_RELEASED',
  /** A webhook endpoint failed for longer than WEBHOOK_DISABLE_AFTER and was disabled; no deletion attached. */
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
}
