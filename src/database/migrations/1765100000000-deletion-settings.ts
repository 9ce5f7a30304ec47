import { MigrationInterface, QueryRunner } from 'typeorm';

// The object tables as of this migration (frozen here, see the initial schema).
const OBJECT_TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/**
 * The retention policy and the last reminder: per-workspace settings with their history, the
 * reminder's exactly-once claim on the deletion, and the indexes the scheduler's two new
 * per-tick statements need.
 */
export class DeletionSettings1765100000000 implements MigrationInterface {
  name = 'DeletionSettings1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- A workspace without a row has the defaults (no auto-mark, a reminder 24 hours before); a row
      -- is written with the defaults on the first change, then locked and changed, so two first
      -- changes at once serialise on it. updated_at/updated_by stay null until the first change.
      CREATE TABLE deletion_settings (
        workspace_id uuid PRIMARY KEY REFERENCES workspaces(id),
        auto_mark_after_days int CHECK (auto_mark_after_days BETWEEN 1 AND 3650),
        reminder_hours_before int CHECK (reminder_hours_before >= 1),
        updated_at timestamptz,
        updated_by uuid REFERENCES users(id)
      );
      -- The scheduler's tick reads only the workspaces with a policy.
      CREATE INDEX deletion_settings_auto_mark ON deletion_settings (workspace_id)
        WHERE auto_mark_after_days IS NOT NULL;

      -- Every change, old and new values side by side: who changed the policy, when, from what.
      CREATE TABLE deletion_settings_changes (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        changed_at timestamptz NOT NULL,
        changed_by uuid NOT NULL REFERENCES users(id),
        old_auto_mark_after_days int,
        new_auto_mark_after_days int,
        old_reminder_hours_before int,
        new_reminder_hours_before int
      );
      CREATE INDEX deletion_settings_changes_workspace
        ON deletion_settings_changes (workspace_id, changed_at DESC, id DESC);

      -- Set once, by the instance that sends the reminder (the claim makes it exactly once).
      ALTER TABLE deletions ADD COLUMN reminded_at timestamptz;
      CREATE INDEX deletions_to_remind ON deletions (execute_after)
        WHERE status = 'PENDING' AND reminded_at IS NULL;
    `);
    // Auto-mark candidates: archived, not yet marked (tasks: only the removable ones, or old open
    // tasks, never marked, would stay in the way of every tick). A marked row leaves the index, so
    // a workspace whose old objects are all marked costs a tick nothing however many there are.
    for (const table of OBJECT_TABLES) {
      const removable = table === 'tasks' ? ` AND status IN ('REMOVED', 'VERIFIED')` : '';
      await q.query(
        `CREATE INDEX ${table}_unmarked_archived ON ${table} (workspace_id, archived_at)
         WHERE archived_at IS NOT NULL AND marked_at IS NULL${removable}`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of OBJECT_TABLES) await q.query(`DROP INDEX ${table}_unmarked_archived`);
    await q.query(`
      DROP INDEX deletions_to_remind;
      ALTER TABLE deletions DROP COLUMN reminded_at;
      DROP TABLE deletion_settings_changes, deletion_settings;
    `);
  }
}
