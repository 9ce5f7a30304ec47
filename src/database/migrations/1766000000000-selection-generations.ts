import { MigrationInterface, QueryRunner } from 'typeorm';

// The object tables as of this migration (frozen here, see the initial schema).
const OBJECT_TABLES = [
  { table: 'contacts', type: 'CONTACT' },
  { table: 'activities', type: 'ACTIVITY' },
  { table: 'business_objects', type: 'OBJECT' },
  { table: 'deals', type: 'DEAL' },
  { table: 'tasks', type: 'TASK' },
  { table: 'emails', type: 'EMAIL' },
  { table: 'calls', type: 'CALL' },
];

/**
 * apply_type_stats() as the legal-holds migration wrote it, with "in the selection" given by
 * `selected` over the changed rows `d` (and the workspace's active deletion `a`, when `join`).
 */
function statsFunction(selected: string, join: string): string {
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
            archived_count, archived_bytes, marked_count, marked_bytes, held_count, held_bytes)
          SELECT d.workspace_id, %L, sum(sign), sum(sign * d.attachment_bytes),
            coalesce(sum(sign) FILTER (WHERE d.archived_at IS NOT NULL), 0),
            coalesce(sum(sign * d.attachment_bytes) FILTER (WHERE d.archived_at IS NOT NULL), 0),
            coalesce(sum(sign) FILTER (WHERE ${selected}), 0),
            coalesce(sum(sign * d.attachment_bytes) FILTER (WHERE ${selected}), 0),
            coalesce(sum(sign) FILTER (WHERE d.held_count > 0), 0),
            coalesce(sum(sign * d.attachment_bytes) FILTER (WHERE d.held_count > 0), 0)
          FROM (%s) d ${join}
          GROUP BY d.workspace_id
          HAVING sum(sign) <> 0 OR sum(sign * d.attachment_bytes) <> 0
            OR sum(sign) FILTER (WHERE d.archived_at IS NOT NULL) <> 0
            OR sum(sign * d.attachment_bytes) FILTER (WHERE d.archived_at IS NOT NULL) <> 0
            OR sum(sign) FILTER (WHERE ${selected}) <> 0
            OR sum(sign * d.attachment_bytes) FILTER (WHERE ${selected}) <> 0
            OR sum(sign) FILTER (WHERE d.held_count > 0) <> 0
            OR sum(sign * d.attachment_bytes) FILTER (WHERE d.held_count > 0) <> 0
          ON CONFLICT (workspace_id, object_type) DO UPDATE SET
            all_count = s.all_count + excluded.all_count,
            all_bytes = s.all_bytes + excluded.all_bytes,
            archived_count = s.archived_count + excluded.archived_count,
            archived_bytes = s.archived_bytes + excluded.archived_bytes,
            marked_count = s.marked_count + excluded.marked_count,
            marked_bytes = s.marked_bytes + excluded.marked_bytes,
            held_count = s.held_count + excluded.held_count,
            held_bytes = s.held_bytes + excluded.held_bytes
        $sql$, TG_ARGV[0], changed);
        RETURN NULL;
      END
      $fn$;`;
}

/**
 * Activation and cancel in O(1) of the selection's size (docs/deletion-lifecycle.md, "Generations").
 * A mark carries the workspace's selection generation at the time it was made
 * (`<table>.mark_generation`); activation writes the current generation into the new deletion
 * (`deletions.generation`) and bumps the workspace's (`workspaces.selection_generation`), touching
 * no object row. An object is in the workspace's active (PENDING or EXECUTING) deletion when it is
 * marked with a generation up to the one that deletion froze, and in the selection when it is
 * marked otherwise; a deletion that ends (cancelled, failed) thereby hands its marks back to the
 * selection without a write to them. The per-type counters move between `type_stats.marked_*` and
 * `deletion_type_volumes` in the same transaction, 7 rows each way.
 *
 * The columns have constant defaults (no table rewrite). Existing data converts in O(workspaces):
 * every existing mark has generation 0, every existing deletion generation 0, and a workspace
 * whose deletion is active moves on to generation 1; by rule 4 all its marked rows were that
 * deletion's (no mark is made while one is active), so each object keeps its state. The objects'
 * `deletion_id` goes: membership is the generation now, and `<table>_marked` serves the batch's
 * reads in the order `<table>_pending` did.
 */
export class SelectionGenerations1766000000000 implements MigrationInterface {
  name = 'SelectionGenerations1766000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE workspaces ADD COLUMN selection_generation bigint NOT NULL DEFAULT 0;
      ALTER TABLE deletions ADD COLUMN generation bigint NOT NULL DEFAULT 0;
      UPDATE workspaces w SET selection_generation = 1
        WHERE EXISTS (SELECT 1 FROM deletions d WHERE d.workspace_id = w.id AND d.status IN ('PENDING', 'EXECUTING'));
    `);
    for (const { table } of OBJECT_TABLES) {
      await q.query(`
        ALTER TABLE ${table} ADD COLUMN mark_generation bigint NOT NULL DEFAULT 0;
        ALTER TABLE ${table} DROP COLUMN deletion_id;
      `);
    }
    // "In the selection": marked, and not in the workspace's active deletion (found by deletions_one_active).
    await q.query(
      statsFunction(
        'd.marked_at IS NOT NULL AND d.mark_generation > coalesce(a.generation, -1)',
        `LEFT JOIN deletions a ON a.workspace_id = d.workspace_id AND a.status IN ('PENDING', 'EXECUTING')`,
      ),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(statsFunction('d.marked_at IS NOT NULL AND d.deletion_id IS NULL', ''));
    for (const { table } of OBJECT_TABLES) {
      await q.query(`
        ALTER TABLE ${table} ADD COLUMN deletion_id uuid REFERENCES deletions(id);
        UPDATE ${table} t SET deletion_id = a.id FROM deletions a
          WHERE a.workspace_id = t.workspace_id AND a.status IN ('PENDING', 'EXECUTING')
            AND t.marked_at IS NOT NULL AND t.mark_generation <= a.generation;
        ALTER TABLE ${table} ADD CHECK (deletion_id IS NULL OR marked_at IS NOT NULL);
        CREATE INDEX ${table}_pending ON ${table} (deletion_id, archived_at DESC, id DESC) WHERE deletion_id IS NOT NULL;
        ALTER TABLE ${table} DROP COLUMN mark_generation;
      `);
    }
    await q.query(`
      ALTER TABLE deletions DROP COLUMN generation;
      ALTER TABLE workspaces DROP COLUMN selection_generation;
    `);
  }
}
