import { MigrationInterface, QueryRunner } from 'typeorm';

/** The object tables as they stand at this migration (frozen, as in the initial schema). */
const TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/**
 * Indexes for the review lists (docs/lists.md), each in the order its list pages, so a page walks
 * it and costs the same at 100 rows as at a million:
 * - `<table>_selection_page`: the selection (`archivedObjects` with deletionState MARKED);
 * - `<table>_pending_page`: the objects of a pending or executing deletion (`Deletion.objects`, and
 *   `archivedObjects` with PENDING, which looks the workspace's one active deletion up first). It
 *   leads with deletion_id, so it replaces `<table>_deletion` for the executor's reads too;
 * - `<table>_active` and `<table>_active_by_creator`: active objects (`objects`), for an admin and
 *   for a member (or a createdBy filter), newest created first.
 */
export class ReviewIndexes1765000000000 implements MigrationInterface {
  name = 'ReviewIndexes1765000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`
        CREATE INDEX ${table}_selection_page ON ${table} (workspace_id, archived_at DESC, id DESC)
          WHERE marked_at IS NOT NULL AND deletion_id IS NULL;
        CREATE INDEX ${table}_pending_page ON ${table} (deletion_id, archived_at DESC, id DESC)
          WHERE deletion_id IS NOT NULL;
        DROP INDEX ${table}_deletion;
        CREATE INDEX ${table}_active ON ${table} (workspace_id, created_at DESC, id DESC)
          WHERE archived_at IS NULL;
        CREATE INDEX ${table}_active_by_creator ON ${table} (workspace_id, created_by, created_at DESC, id DESC)
          WHERE archived_at IS NULL;
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`
        DROP INDEX ${table}_selection_page, ${table}_pending_page, ${table}_active, ${table}_active_by_creator;
        CREATE INDEX ${table}_deletion ON ${table} (deletion_id) WHERE deletion_id IS NOT NULL;
      `);
    }
  }
}
