import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed webhooks from a transactional outbox (docs/webhooks.md): the workspaces' endpoints, one
 * delivery row per event and endpoint written in the transition's own transaction (the outbox),
 * and (if the receipts' migration has not made it) the refs each deletion removed.
 */
export class Webhooks1765600000000 implements MigrationInterface {
  name = 'Webhooks1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- The secret is kept as issued (whsec_…): the server must sign with it, so a hash would not do.
      -- previous_secret still signs until previous_secret_until (rotation overlap).
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        url text NOT NULL,
        event_types text[] NOT NULL,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_until timestamptz,
        enabled boolean NOT NULL DEFAULT true,
        failing_since timestamptz,
        disabled_at timestamptz,
        created_at timestamptz NOT NULL,
        created_by uuid REFERENCES users(id) ON DELETE SET NULL
      );
      -- The admins' list and the outbox's fan-out both read one workspace's endpoints.
      CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, created_at, id);

      -- The outbox: one row per event and endpoint. event_id is the webhook-id of every attempt.
      CREATE TABLE webhook_deliveries (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id uuid NOT NULL,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        event_type text NOT NULL,
        subject_id uuid NOT NULL,
        occurred_at timestamptz NOT NULL,
        state text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'DELIVERED', 'FAILING', 'GAVE_UP')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz,
        last_status int,
        last_error text,
        delivered_at timestamptz,
        UNIQUE (event_id, endpoint_id)
      );
      -- The workers' claim: only open deliveries, oldest due first (EXPLAIN: Index Scan on this index).
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
        WHERE state IN ('PENDING', 'FAILING');
      -- Deletion.deliveries and an endpoint's recent deliveries.
      CREATE INDEX webhook_deliveries_subject ON webhook_deliveries (subject_id, endpoint_id);
      CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id DESC);

      -- What each deletion removed, by type and id (no content), for the removed list. The table is
      -- the receipts' (1765500000000-receipts, same name and shape): created here only where that
      -- migration has not run, so either order of merging leaves one table.
      CREATE TABLE IF NOT EXISTS deletion_removed (
        deletion_id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        object_type text NOT NULL,
        object_id uuid NOT NULL,
        bytes bigint NOT NULL,
        files int NOT NULL,
        PRIMARY KEY (deletion_id, seq)
      );
      -- The removed list pages by (type, id) on this index.
      CREATE UNIQUE INDEX IF NOT EXISTS deletion_removed_ref ON deletion_removed (deletion_id, object_type, object_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // deletion_removed stays: it belongs to the receipts as well (see up()).
    await q.query('DROP TABLE webhook_deliveries, webhook_endpoints');
  }
}
