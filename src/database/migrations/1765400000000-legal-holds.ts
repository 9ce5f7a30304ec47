import { MigrationInterface, QueryRunner } from 'typeorm';

// The object tables as of this migration (frozen here, see the initial schema).
const OBJECT_TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/** apply_type_stats() as the initial schema wrote it, plus the held counters (objects under at least one active hold). */
const STATS_FUNCTION = (withHeld: boolean) => {
  const held = withHeld
    ? `,
            coalesce(sum(sign) FILTER (WHERE held_count > 0), 0),
            coalesce(sum(sign * attachment_bytes) FILTER (WHERE held_count > 0), 0)`
    : '';
  const heldColumns = withHeld ? ', held_count, held_bytes' : '';
  const heldHaving = withHeld
    ? `
            OR sum(sign) FILTER (WHERE held_count > 0) <> 0
            OR sum(sign * attachment_bytes) FILTER (WHERE held_count > 0) <> 0`
    : '';
  const heldSet = withHeld
    ? `,
            held_count = s.held_count + excluded.held_count,
            held_bytes = s.held_bytes + excluded.held_bytes`
    : '';
  return `
      CREATE OR REPLACE FUNCTION apply_type_stats() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        changed text := CASE TG_OP
          WHEN 'INSERT' THEN 'SELECT 1 AS sign, n.* FROM new_rows n'
          WHEN 'DELETE' THEN 'SELECT -1 AS sign, o.* FROM old_rows o'
          ELSE 'SELECT 1 AS sign, n.* FROM new_rows n UNION ALL SELECT -1, o.* FROM old_rows o'
        END;
      BEGIN
        EXECUTE format($sql$
          INSERT INTO type_stats AS s (workspace_id, object_type, all_count, all_bytes,
            archived_count, archived_bytes, marked_count, marked_bytes${heldColumns})
          SELECT workspace_id, %L, sum(sign), sum(sign * attachment_bytes),
            coalesce(sum(sign) FILTER (WHERE archived_at IS NOT NULL), 0),
            coalesce(sum(sign * attachment_bytes) FILTER (WHERE archived_at IS NOT NULL), 0),
            coalesce(sum(sign) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL), 0),
            coalesce(sum(sign * attachment_bytes) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL), 0)${held}
          FROM (%s) d
          GROUP BY workspace_id
          HAVING sum(sign) <> 0 OR sum(sign * attachment_bytes) <> 0
            OR sum(sign) FILTER (WHERE archived_at IS NOT NULL) <> 0
            OR sum(sign * attachment_bytes) FILTER (WHERE archived_at IS NOT NULL) <> 0
            OR sum(sign) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL) <> 0
            OR sum(sign * attachment_bytes) FILTER (WHERE marked_at IS NOT NULL AND deletion_id IS NULL) <> 0${heldHaving}
          ON CONFLICT (workspace_id, object_type) DO UPDATE SET
            all_count = s.all_count + excluded.all_count,
            all_bytes = s.all_bytes + excluded.all_bytes,
            archived_count = s.archived_count + excluded.archived_count,
            archived_bytes = s.archived_bytes + excluded.archived_bytes,
            marked_count = s.marked_count + excluded.marked_count,
            marked_bytes = s.marked_bytes + excluded.marked_bytes${heldSet}
        $sql$, TG_ARGV[0], changed);
        RETURN NULL;
      END
      $fn$;`;
};

/**
 * Legal holds (docs/legal-holds.md). A hold is a row in `legal_holds`; what it covers, while it is
 * active, is `legal_hold_objects` (a release deletes its members, so a membership row means "held
 * now"). Every object row carries `held_count`, the number of active holds covering it, written
 * in the same transaction as the membership rows: "is this object held" is a column of the row
 * (no query), the executor's re-check is a predicate on the very row it locks, and the CHECK
 * below makes "a held object is never marked" a property of the database, whatever the code does.
 * `type_stats` counts held objects per type through the same statement-level trigger.
 */
export class LegalHolds1765400000000 implements MigrationInterface {
  name = 'LegalHolds1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE legal_holds (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
        placed_by uuid NOT NULL REFERENCES users(id),
        placed_at timestamptz NOT NULL,
        released_by uuid REFERENCES users(id),
        released_at timestamptz,
        object_count int NOT NULL DEFAULT 0,
        CHECK ((released_at IS NULL) = (released_by IS NULL))
      );
      -- The list (newest first, keyset on placed_at, id), all or only the active ones.
      CREATE INDEX legal_holds_list ON legal_holds (workspace_id, placed_at DESC, id DESC);
      CREATE INDEX legal_holds_active ON legal_holds (workspace_id, placed_at DESC, id DESC) WHERE released_at IS NULL;

      CREATE TABLE legal_hold_objects (
        hold_id uuid NOT NULL REFERENCES legal_holds(id),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        object_type text NOT NULL,
        object_id uuid NOT NULL,
        PRIMARY KEY (hold_id, object_type, object_id)
      );
      -- "Which active holds cover this object": the CONFLICT of a refused mark names them.
      CREATE INDEX legal_hold_objects_object ON legal_hold_objects (workspace_id, object_type, object_id);

      ALTER TABLE type_stats ADD COLUMN held_count bigint NOT NULL DEFAULT 0,
        ADD COLUMN held_bytes bigint NOT NULL DEFAULT 0;
      ALTER TABLE notifications ADD COLUMN hold_id uuid REFERENCES legal_holds(id);
    `);
    for (const table of OBJECT_TABLES) {
      // A constant default: no table rewrite. The CHECK is added NOT VALID and validated apart,
      // which scans the table without blocking writes (every existing row has held_count 0).
      await q.query(`
        ALTER TABLE ${table} ADD COLUMN held_count int NOT NULL DEFAULT 0;
        ALTER TABLE ${table} ADD CONSTRAINT ${table}_held_not_marked
          CHECK (held_count >= 0 AND (held_count = 0 OR marked_at IS NULL)) NOT VALID;
        ALTER TABLE ${table} VALIDATE CONSTRAINT ${table}_held_not_marked;
        -- The held objects of a workspace (few, usually): a mark by filter counts the ones it skips.
        CREATE INDEX ${table}_held ON ${table} (workspace_id, archived_at DESC, id DESC) WHERE held_count > 0;
      `);
    }
    await q.query(STATS_FUNCTION(true));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(STATS_FUNCTION(false));
    for (const table of OBJECT_TABLES) {
      await q.query(`ALTER TABLE ${table} DROP COLUMN held_count`);
    }
    await q.query(`
      ALTER TABLE notifications DROP COLUMN hold_id;
      ALTER TABLE type_stats DROP COLUMN held_count, DROP COLUMN held_bytes;
      DROP TABLE legal_hold_objects, legal_holds;
    `);
  }
}
