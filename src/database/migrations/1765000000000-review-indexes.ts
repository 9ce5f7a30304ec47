import { MigrationInterface, QueryRunner } from 'typeorm';

/** The object tables as they stand at this migration (frozen, as in the initial schema). */
const TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/**
 * Indexes for the review lists (docs/lists.md), each in the order its list pages, so a page walks
 * it and costs the same at 100 rows as at a million:
 * - `<table>_marked`: marked objects, newest archived first: the selection (`archivedObjects` with
 *   deletionState MARKED), the pending deletion (PENDING) and `Deletion.objects`. One index serves
 *   both states because a workspace never has both at once: activation freezes the whole selection
 *   into the deletion, and marking is refused until the deletion has ended (rules 4 and 6);
 * - `<table>_active` and `<table>_active_by_creator`: active objects (`objects`), for an admin and
 *   for a member (or a createdBy filter), newest created first.
 */
export class ReviewIndexes1765000000000 implements MigrationInterface {
  name = 'ReviewIndexes1765000000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`
        CREATE INDEX ${table}_marked ON ${table} (workspace_id, archived_at DESC, id DESC)
          WHERE marked_at IS NOT NULL;
        CREATE INDEX ${table}_active ON ${table} (workspace_id, created_at DESC, id DESC)
          WHERE archived_at IS NULL;
        CREATE INDEX ${table}_active_by_creator ON ${table} (workspace_id, created_by, created_at DESC, id DESC)
          WHERE archived_at IS NULL;
      `);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`DROP INDEX ${table}_marked, ${table}_active, ${table}_active_by_creator`);
    }
  }
}
