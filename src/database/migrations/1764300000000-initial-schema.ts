import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The object tables as this migration created them: frozen here, not read from object-tables.ts,
 * so that a later change to a type's columns comes as a new migration instead of silently
 * changing what this one builds on new databases only.
 */
const OBJECT_TABLES: readonly { table: string; type: string; columns: string }[] = [
  { table: 'contacts', type: 'CONTACT', columns: 'email text, phone text, company text' },
  { table: 'activities', type: 'ACTIVITY', columns: 'kind text, occurred_at timestamptz' },
  { table: 'business_objects', type: 'OBJECT', columns: 'category text, description text' },
  { table: 'deals', type: 'DEAL', columns: 'amount_cents bigint, currency text, stage text' },
  {
    table: 'tasks',
    type: 'TASK',
    columns: `status text NOT NULL DEFAULT 'OPEN'
      CHECK (status IN ('OPEN', 'IN_PROGRESS', 'DONE', 'VERIFIED', 'REMOVED')), due_at timestamptz`,
  },
  { table: 'emails', type: 'EMAIL', columns: 'from_address text, to_address text, sent_at timestamptz' },
  { table: 'calls', type: 'CALL', columns: 'phone_number text, duration_seconds integer, direction text' },
];

/**
 * The whole data model (its words: docs/rules.md). Object tables share their bookkeeping columns; the
 * per-workspace stats are kept exact by statement-level triggers (one counter update per
 * statement, so marking a million rows costs one counter write, not a million).
 */
export class InitialSchema1764300000000 implements MigrationInterface {
  name = 'InitialSchema1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        name text NOT NULL,
        email text NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('ADMIN', 'MEMBER')),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX users_workspace_role ON users (workspace_id, role);

      CREATE TABLE deletions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        status text NOT NULL CHECK (status IN ('PENDING', 'CANCELLED', 'EXECUTING', 'COMPLETED', 'FAILED')),
        activated_at timestamptz NOT NULL,
        activated_by uuid NOT NULL REFERENCES users(id),
        execute_after timestamptz NOT NULL,
        cancelled_at timestamptz,
        cancelled_by uuid REFERENCES users(id),
        started_at timestamptz,
        completed_at timestamptz,
        failure_reason text,
        attempts int NOT NULL DEFAULT 0,
        locked_by text,
        locked_until timestamptz
      );
      -- Rule 5: at most one PENDING/EXECUTING deletion per workspace, whatever the code does.
      CREATE UNIQUE INDEX deletions_one_active ON deletions (workspace_id)
        WHERE status IN ('PENDING', 'EXECUTING');
      CREATE INDEX deletions_history ON deletions (workspace_id, activated_at DESC, id DESC);
      CREATE INDEX deletions_due ON deletions (execute_after) WHERE status IN ('PENDING', 'EXECUTING');

      -- Frozen per-type figures of a deletion (the batch's "items" by type), and its progress.
      CREATE TABLE deletion_type_volumes (
        deletion_id uuid NOT NULL REFERENCES deletions(id) ON DELETE CASCADE,
        object_type text NOT NULL,
        count bigint NOT NULL DEFAULT 0,
        bytes bigint NOT NULL DEFAULT 0,
        done_count bigint NOT NULL DEFAULT 0,
        done_bytes bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (deletion_id, object_type)
      );

      CREATE TABLE attachments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        object_type text NOT NULL,
        object_id uuid NOT NULL,
        file_name text NOT NULL,
        mime_type text NOT NULL,
        size_bytes bigint NOT NULL CHECK (size_bytes >= 0),
        storage_key text NOT NULL UNIQUE,
        created_by uuid NOT NULL REFERENCES users(id),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX attachments_object ON attachments (object_type, object_id);

      -- Files whose rows are gone; they are deleted from the file store after the commit.
      CREATE TABLE file_tombstones (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        storage_key text NOT NULL,
        deletion_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind text NOT NULL,
        deletion_id uuid REFERENCES deletions(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz
      );
      CREATE INDEX notifications_inbox ON notifications (user_id, created_at DESC, id DESC);

      CREATE TABLE type_stats (
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        object_type text NOT NULL,
        all_count bigint NOT NULL DEFAULT 0,
        all_bytes bigint NOT NULL DEFAULT 0,
        archived_count bigint NOT NULL DEFAULT 0,
        archived_bytes bigint NOT NULL DEFAULT 0,
        marked_count bigint NOT NULL DEFAULT 0,
        marked_bytes bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (workspace_id, object_type)
      );

      -- Adds the net change of one statement on an object table to type_stats. "Marked" means in
      -- the selection: marked and not (yet) frozen into a deletion.
      CREATE FUNCTION apply_type_stats() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        changed text := CASE TG_OP
          WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
          WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
          ELSE 'SELECT 1 AS sign, n.* FROM new_rows n UNION ALL SELECT -1, o.* FROM old_rows o'
        END;
      BEGIN
        EXECUTE format($sql$
          INSERT INTO type_stats AS s (workspace_id, object_type, all_count, all_bytes,
            archived_count, archived_bytes, marked_count, marked_bytes)
          SELECT workspace_id, %L, sum(sign), sum(sign * attachment_bytes),
            coalesce(sum(sign) FILTER (WHERE archived_at IS NOT NULL), 0),
            coalesce(sum(sign * attachment_bytes) FILTER (WHERE archived_at IS NOT NULL), 0),
            coalesce(sum(sign) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL), 0),
            coalesce(sum(sign * attachment_bytes) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL), 0)
          FROM (%s) d
          GROUP BY workspace_id
          HAVING sum(sign) <> 0 OR sum(sign * attachment_bytes) <> 0
            OR sum(sign) FILTER (WHERE archived_at IS NOT NULL) <> 0
            OR sum(sign * attachment_bytes) FILTER (WHERE archived_at IS NOT NULL) <> 0
            OR sum(sign) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL) <> 0
            OR sum(sign * attachment_bytes) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL) <> 0
          ON CONFLICT (workspace_id, object_type) DO UPDATE SET
            all_count = s.all_count + excluded.all_count,
            all_bytes = s.all_bytes + excluded.all_bytes,
            archived_count = s.archived_count + excluded.archived_count,
            archived_bytes = s.archived_bytes + excluded.archived_bytes,
            marked_count = s.marked_count + excluded.marked_count,
            marked_bytes = s.marked_bytes + excluded.marked_bytes
        $sql$, TG_ARGV[0], changed);
        RETURN NULL;
      END
      $fn$;
    `);
    for (const { table, type, columns } of OBJECT_TABLES) {
      await q.query(`
        CREATE TABLE ${table} (
          id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
          workspace_id uuid NOT NULL REFERENCES workspaces(id),
          title text NOT NULL,
          created_by uuid NOT NULL REFERENCES users(id),
          created_at timestamptz NOT NULL DEFAULT now(),
          archived_at timestamptz,
          archived_by uuid REFERENCES users(id),
          attachment_bytes bigint NOT NULL DEFAULT 0,
          marked_at timestamptz,
          marked_by uuid REFERENCES users(id),
          deletion_id uuid REFERENCES deletions(id),
          ${columns},
          CHECK (marked_at IS NULL OR archived_at IS NOT NULL),
          CHECK (deletion_id IS NULL OR marked_at IS NOT NULL)
        );
        CREATE INDEX ${table}_archived ON ${table} (workspace_id, archived_at DESC, id DESC)
          WHERE archived_at IS NOT NULL;
        CREATE INDEX ${table}_archived_by_creator ON ${table} (workspace_id, created_by, archived_at DESC, id DESC)
          WHERE archived_at IS NOT NULL;
        CREATE INDEX ${table}_selection ON ${table} (workspace_id) WHERE marked_at IS NOT NULL AND deletion_id IS NULL;
        CREATE INDEX ${table}_deletion ON ${table} (deletion_id) WHERE deletion_id IS NOT NULL;
        CREATE TRIGGER ${table}_stats_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION apply_type_stats('${type}');
        CREATE TRIGGER ${table}_stats_update AFTER UPDATE ON ${table}
          REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
          FOR EACH STATEMENT EXECUTE FUNCTION apply_type_stats('${type}');
        CREATE TRIGGER ${table}_stats_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows
          FOR EACH STATEMENT EXECUTE FUNCTION apply_type_stats('${type}');
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = OBJECT_TABLES.map((t) => t.table).join(', ');
    await q.query(`
      DROP TABLE ${tables}, type_stats, notifications, file_tombstones, attachments,
        deletion_type_volumes, deletions, users, workspaces;
      DROP FUNCTION apply_type_stats();
    `);
  }
}
