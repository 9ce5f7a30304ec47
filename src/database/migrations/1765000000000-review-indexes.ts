import { MigrationInterface, QueryRunner } from 'typeorm';

/** The object tables as they stand at this migration (frozen, as in the initial schema). */
const TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/**
 * Indexes for the review lists (docs/lists.md), each in the order its list pages, so a page walks
 * it and costs the same at 100 rows as at a million:
 * - `<table>_marked`: marked objects, newest archived first: the selection (`archivedObjects` with
 *   deletionState MARKED), alone or with the pending deletion (MARKED and PENDING): a workspace
 *   never has both at once, since activation freezes the whole selection into the deletion and
 *   marking is refused until the deletion has ended (rules 4 and 6);
 * - `<table>_marked_by_creator`: the same for a member (who sees only what they created) or a
 *   createdBy filter, which would otherwise walk every other creator's marked objects;
 * - `<table>_pending`: a deletion's objects, newest archived first (`Deletion.objects`, and
 *   deletionState PENDING once the workspace's active deletion is looked up). It leads with
 *   deletion_id, so it replaces `<table>_deletion` for the executor's and cancel's reads too;
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
        CREATE INDEX ${table}_marked_by_creator ON ${table} (workspace_id, created_by, archived_at DESC, id DESC)
          WHERE marked_at IS NOT NULL;
        CREATE INDEX ${table}_pending ON ${table} (deletion_id, archived_at DESC, id DESC)
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
        CREATE INDEX ${table}_deletion ON ${table} (deletion_id) WHERE deletion_id IS NOT NULL;
        DROP INDEX ${table}_marked, ${table}_marked_by_creator, ${table}_pending, ${table}_active,
          ${table}_active_by_creator;
      `);
    }
  }
}
