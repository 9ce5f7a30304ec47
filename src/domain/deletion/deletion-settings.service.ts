import { Database, Sql } from '../../database/database';
import { AppError, ErrorCode } from '../../errors';
import { Operation, requireMayAttempt } from '../policy';
import { Clock } from '../clock';
import { UserRow } from '../domain-types';
import { DEFAULT_REMINDER_HOURS, DeletionSettingsRow, SETTINGS_COLUMNS } from './deletion-settings-row';
import { DeletionLifecycle } from './lifecycle/deletion-lifecycle';

/** The longest auto-mark age accepted: ten years. */
const MAX_AUTO_MARK_DAYS = 3650;

const HOUR_MS = 3_600_000;

/** A change: an absent (undefined) field stays as it is, null turns it off. */
export interface DeletionSettingsChange {
  autoMarkAfterDays?: number | null;
  reminderHoursBefore?: number | null;
}

/** One recorded change, old and new values side by side. */
export interface DeletionSettingsChangeRow {
  id: string;
  changedAt: Date;
  changedById: string;
  oldAutoMarkAfterDays: number | null;
  newAutoMarkAfterDays: number | null;
  oldReminderHoursBefore: number | null;
  newReminderHoursBefore: number | null;
}

/**
 * Per-workspace deletion settings: read by any admin, changed by admins. Every change is validated
 * before anything is written; the lifecycle's `changeSettings` writes it, records it in
 * `deletion_settings_changes` (who, when, old → new) and announces it to every admin, in one transaction.
 */
export class DeletionSettingsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly lifecycle: DeletionLifecycle,
    /** The grace period: a reminder must come before execution, so it must be shorter. */
    private readonly gracePeriodMs: number,
  ) {}

  /** The workspace's settings (admins); the defaults when it never changed them. */
  async get(user: UserRow): Promise<DeletionSettingsRow> {
    requireMayAttempt(user, Operation.READ_SETTINGS, 'read the deletion settings');
    const row = await this.db.one<DeletionSettingsRow>(
      `SELECT ${SETTINGS_COLUMNS} FROM deletion_settings WHERE workspace_id = $1`,
      [user.workspaceId],
    );
    return row ?? defaults(user.workspaceId);
  }

  /** The most recent changes, newest first (admins). */
  async changes(user: UserRow, limit: number): Promise<DeletionSettingsChangeRow[]> {
    requireMayAttempt(user, Operation.READ_SETTINGS, 'read the deletion settings');
    return this.db.rows<DeletionSettingsChangeRow>(
      `SELECT id::text, changed_at AS "changedAt", changed_by AS "changedById",
         old_auto_mark_after_days AS "oldAutoMarkAfterDays", new_auto_mark_after_days AS "newAutoMarkAfterDays",
         old_reminder_hours_before AS "oldReminderHoursBefore", new_reminder_hours_before AS "newReminderHoursBefore"
       FROM deletion_settings_changes c WHERE workspace_id = $1 ORDER BY changed_at DESC, c.id DESC LIMIT $2`,
      [user.workspaceId, limit],
    );
  }

  /**
   * Applies `change` (admins). A value out of range is BAD_USER_INPUT and changes nothing; a change
   * that leaves both values as they are writes nothing and notifies nobody.
   */
  async update(user: UserRow, change: DeletionSettingsChange): Promise<DeletionSettingsRow> {
    requireMayAttempt(user, Operation.UPDATE_SETTINGS, 'change the deletion settings');
    this.validate(change);
    return this.db.transaction(async (tx) => {
      const old = await lockSettings(tx, user.workspaceId);
      const next = {
        autoMarkAfterDays: change.autoMarkAfterDays === undefined ? old.autoMarkAfterDays : change.autoMarkAfterDays,
        reminderHoursBefore:
          change.reminderHoursBefore === undefined ? old.reminderHoursBefore : change.reminderHoursBefore,
      };
      if (next.autoMarkAfterDays === old.autoMarkAfterDays && next.reminderHoursBefore === old.reminderHoursBefore) {
        return old;
      }
      const now = this.clock.now();
      return this.lifecycle.changeSettings(tx, { workspaceId: user.workspaceId, actorId: user.id, now, old, next });
    });
  }

  /** The largest reminder accepted: strictly less than the grace period, in whole hours. */
  get maxReminderHours(): number {
    return Math.ceil(this.gracePeriodMs / HOUR_MS) - 1;
  }

  private validate(change: DeletionSettingsChange): void {
    const problems: string[] = [];
    const days = change.autoMarkAfterDays;
    if (days != null && !inRange(days, 1, MAX_AUTO_MARK_DAYS)) {
      problems.push(`autoMarkAfterDays must be from 1 to ${MAX_AUTO_MARK_DAYS} (or null to turn it off), got ${days}`);
    }
    const hours = change.reminderHoursBefore;
    if (hours != null && !inRange(hours, 1, this.maxReminderHours)) {
      problems.push(
        `reminderHoursBefore must be from 1 to ${this.maxReminderHours}, less than the grace period ` +
          `(or null to turn it off), got ${hours}`,
      );
    }
    if (problems.length > 0) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `${problems.join('; ')}. Nothing was changed.`, { problems });
    }
  }
}

function inRange(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

function defaults(workspaceId: string): DeletionSettingsRow {
  return {
    workspaceId,
    autoMarkAfterDays: null,
    reminderHoursBefore: DEFAULT_REMINDER_HOURS,
    updatedAt: null,
    updatedById: null,
  };
}

/**
 * The settings row, locked until the transaction ends; written with the defaults first when the
 * workspace has none, so two first changes at once wait for each other and record true old values.
 */
async function lockSettings(tx: Sql, workspaceId: string): Promise<DeletionSettingsRow> {
  await tx.rows(
    `INSERT INTO deletion_settings (workspace_id, reminder_hours_before) VALUES ($1, $2)
     ON CONFLICT (workspace_id) DO NOTHING`,
    [workspaceId, DEFAULT_REMINDER_HOURS],
  );
  const row = await tx.one<DeletionSettingsRow>(
    `SELECT ${SETTINGS_COLUMNS} FROM deletion_settings WHERE workspace_id = $1 FOR UPDATE`,
    [workspaceId],
  );
  return row!;
}
