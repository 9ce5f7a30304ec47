/** Hours before execution the reminder goes out in a workspace that never changed its settings. */
export const DEFAULT_REMINDER_HOURS = 24;

/** A workspace's retention policy and reminder; `updatedAt`/`updatedById` are null until the first change. */
export interface DeletionSettingsRow {
  workspaceId: string;
  /** Archived objects older than this many days are marked by the scheduler; null: off. */
  autoMarkAfterDays: number | null;
  /** Hours before a pending deletion executes that admins are reminded; null: off. */
  reminderHoursBefore: number | null;
  updatedAt: Date | null;
  updatedById: string | null;
}

/** The SELECT list that reads a `deletion_settings` row as a DeletionSettingsRow. */
export const SETTINGS_COLUMNS = `workspace_id AS "workspaceId", auto_mark_after_days AS "autoMarkAfterDays",
  reminder_hours_before AS "reminderHoursBefore", updated_at AS "updatedAt", updated_by AS "updatedById"`;
