import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `/metrics` reports deletions by status at every scrape: with this index the count is an
 * index-only scan of a narrow index instead of a read of the whole deletions table.
 */
export class DeletionsStatusIndex1764900000000 implements MigrationInterface {
  name = 'DeletionsStatusIndex1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX deletions_status ON deletions (status)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX deletions_status');
  }
}
