import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed deletion receipts (docs/receipts.md).
 * - `receipt_keys`: the server's signing keys. One active key (the partial unique index lets two
 *   instances starting at once create exactly one); retired keys stay so old receipts still verify.
 *   A key configured by RECEIPT_KEY_FILE is listed with its public half only (`private_key_pem` NULL).
 * - `receipt_chains`: per workspace, the secret salt of the Merkle leaves and the hash of its latest
 *   receipt; issuing a receipt locks this row, so a workspace's chain never forks.
 * - `deletion_removed`: every object the executor removed, written by the chunk's own statement
 *   (crash-safe: it commits with the delete), with its RFC 6962 leaf hash (NULL when the workspace had
 *   no salt yet at that chunk: the receipt then computes it). `seq` orders a deletion's leaves; the primary key
 *   (deletion_id, seq) streams them in order and pages them (`GET /deletions/:id/removed`); the unique
 *   (deletion_id, object_type, object_id) index finds one ref for an inclusion proof. No foreign key:
 *   it would cost a check per removed row, and rows are only written by the chunk that has the deletion locked.
 * - `deletion_receipts`: one per finished deletion (the primary key makes a second impossible).
 */
export class Receipts1765500000000 implements MigrationInterface {
  name = 'Receipts1765500000000';

  async up(q: QueryRunner): Promise<void> {
    // pgcrypto (a trusted extension, in every PostgreSQL build we run on) computes each removed
    // object's salted leaf inside the chunk's own statement: no id travels to Node for hashing.
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pgcrypto;
      CREATE TABLE receipt_keys (
        kid text PRIMARY KEY,
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_pem text,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz
      );
      CREATE UNIQUE INDEX receipt_keys_active ON receipt_keys ((true))
        WHERE retired_at IS NULL AND private_key_pem IS NOT NULL;

      CREATE TABLE receipt_chains (
        workspace_id uuid PRIMARY KEY REFERENCES workspaces(id),
        salt bytea NOT NULL,
        last_receipt_hash text
      );

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

      CREATE TABLE deletion_receipts (
        deletion_id uuid PRIMARY KEY REFERENCES deletions(id),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        receipt_id uuid NOT NULL UNIQUE,
        kid text NOT NULL REFERENCES receipt_keys(kid),
        jws text NOT NULL,
        objects_root text NOT NULL,
        leaf_count bigint NOT NULL,
        previous_receipt_hash text,
        verified boolean NOT NULL,
        issued_at timestamptz NOT NULL
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE deletion_receipts;
      DROP TABLE deletion_removed;
      DROP TABLE receipt_chains;
      DROP TABLE receipt_keys;
    `);
  }
}
