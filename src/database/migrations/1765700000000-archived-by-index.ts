import { MigrationInterface, QueryRunner } from 'typeorm';

/** The object tables as they stand at this migration (frozen, as in the initial schema). */
const TABLES = ['contacts', 'activities', 'business_objects', 'deals', 'tasks', 'emails', 'calls'];

/**
 * `<table>_archived_by_archiver`: archived objects of one archiver, newest archived first, for the
 * `archivedBy` filter of `archivedObjects` (the recycle bin's "archived by"). Without it the filter
 * walks `<table>_archived` past every other archiver's rows; with it a page is an index scan in
 * order at a million rows (docs/lists.md).
 */
export class ArchivedByIndex1765700000000 implements MigrationInterface {
  name = 'ArchivedByIndex1765700000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await q.query(`CREATE INDEX ${table}_archived_by_archiver ON ${table}
        (workspace_id, archived_by, archived_at DESC, id DESC) WHERE archived_at IS NOT NULL`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of TABLES) await q.query(`DROP INDEX ${table}_archived_by_archiver`);
  }
}
