import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `deletion_removed` holds one row per executor chunk and object type instead of one per object:
 * the removed ids as an array, in the order they count as Merkle leaves, with the chunk's bytes
 * and file count. A chunk then writes one small row, not a thousand index entries (issue 23's
 * ≤ 5% budget; bench/receipts.bench.ts), and everything built from the list (receipt, inclusion
 * proof, removed list) reads it in `seq` order.
 *
 * Existing rows are regrouped without changing the leaf order: consecutive rows of one deletion and
 * type (gaps and islands over the deletion's own order) become one batch, so every receipt issued
 * before keeps its root and its proofs.
 */
export class RemovedBatches1765800000000 implements MigrationInterface {
  name = 'RemovedBatches1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE deletion_removed_batches (
        deletion_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        object_type text NOT NULL,
        ids uuid[] NOT NULL,
        bytes bigint NOT NULL,
        files int NOT NULL,
        PRIMARY KEY (deletion_id, seq)
      );
      -- Random ids do not compress: out of line without trying, which saves the chunk the attempt.
      ALTER TABLE deletion_removed_batches ALTER COLUMN ids SET STORAGE EXTERNAL;
      INSERT INTO deletion_removed_batches (deletion_id, object_type, ids, bytes, files)
      SELECT deletion_id, object_type, array_agg(object_id ORDER BY seq), sum(bytes), sum(files)
      FROM (
        SELECT r.*, row_number() OVER (PARTITION BY deletion_id ORDER BY seq)
          - row_number() OVER (PARTITION BY deletion_id, object_type ORDER BY seq) AS island
        FROM deletion_removed r) runs
      GROUP BY deletion_id, object_type, island
      ORDER BY deletion_id, min(seq);
      DROP TABLE deletion_removed;
      ALTER TABLE deletion_removed_batches RENAME TO deletion_removed;
      ALTER INDEX deletion_removed_batches_pkey RENAME TO deletion_removed_pkey;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE deletion_removed RENAME TO deletion_removed_batches;
      ALTER INDEX deletion_removed_pkey RENAME TO deletion_removed_batches_pkey;
      CREATE TABLE deletion_removed (
        deletion_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        object_type text NOT NULL,
        object_id uuid NOT NULL,
        bytes bigint NOT NULL,
        files int NOT NULL,
        leaf bytea,
        PRIMARY KEY (deletion_id, seq)
      );
      CREATE UNIQUE INDEX deletion_removed_ref ON deletion_removed (deletion_id, object_type, object_id);
      -- One batch's bytes and files go to its first object: the totals per deletion and type stay right.
      INSERT INTO deletion_removed (deletion_id, object_type, object_id, bytes, files)
      SELECT b.deletion_id, b.object_type, u.id, CASE WHEN u.n = 1 THEN b.bytes ELSE 0 END,
        CASE WHEN u.n = 1 THEN b.files ELSE 0 END
      FROM deletion_removed_batches b CROSS JOIN LATERAL unnest(b.ids) WITH ORDINALITY u(id, n)
      ORDER BY b.deletion_id, b.seq, u.n;
      DROP TABLE deletion_removed_batches;
    `);
  }
}
