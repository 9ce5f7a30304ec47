import { MigrationInterface, QueryRunner } from 'typeorm';

/** The object tables as they stand at this migration (frozen, as in the initial schema). */
const TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/**
 * `<table>_selection (workspace_id) WHERE marked_at IS NOT NULL AND deletion_id IS NULL` is covered by
 * `<table>_marked (workspace_id, archived_at DESC, id DESC) WHERE marked_at IS NOT NULL`: a workspace's
 * marked rows are either all its selection or all its active deletion (activation freezes the whole
 * selection, marking is refused until the deletion ends), so activation, unmark and the stats recount
 * read the same rows through `_marked` with `deletion_id IS NULL` as a filter (plans at 1M rows in
 * docs/write-paths.md). Dropping it saves every mark one index entry per row.
 */
export class DropSelectionIndex1765200000000 implements MigrationInterface {
  name = 'DropSelectionIndex1765200000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`DROP INDEX ${table}_selection`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(
        `CREATE INDEX ${table}_selection ON ${table} (workspace_id) WHERE marked_at IS NOT NULL AND deletion_id IS NULL`,
      );
    }
  }
}
