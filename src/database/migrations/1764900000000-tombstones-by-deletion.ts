import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Finds a deletion's file tombstones by index: `Deletion.filesPending` counts them on every
 * read of a deletion, and the executor drains them at the end of a run.
 */
export class TombstonesByDeletion1764900000000 implements MigrationInterface {
  name = 'TombstonesByDeletion1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE INDEX file_tombstones_deletion ON file_tombstones (deletion_id) WHERE deletion_id IS NOT NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX file_tombstones_deletion');
  }
}
