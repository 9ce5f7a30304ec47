import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identity from a company's OpenID provider (docs/identity.md):
 * - `workspaces.external_id` and `users.external_id` name rows as the provider and the CRM's backend
 *   do (the token's workspace claim and `sub`); a token is resolved through the two unique indexes
 *   below (`workspaces_external_id`, then `users_workspace_external_id`): two index lookups whatever the
 *   table sizes.
 * - `users.active`: a deactivated user keeps their rows (archived objects, history, notifications) but
 *   their tokens are refused.
 * - `users.email` is unique per workspace instead of globally: one person may belong to several
 *   customers' workspaces. `users_workspace_email` keeps the lookup by e-mail indexed.
 * - `provisioning_changes`: who (the client id of the provisioning token), when and what changed, read
 *   by a workspace's admins newest first through `provisioning_changes_workspace (workspace_id, changed_at DESC,
 *   id DESC)` (keyset pages, src/database/keyset.ts).
 */
export class Identity1765300000000 implements MigrationInterface {
  name = 'Identity1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE workspaces ADD COLUMN external_id text;
      CREATE UNIQUE INDEX workspaces_external_id ON workspaces (external_id) WHERE external_id IS NOT NULL;
      ALTER TABLE users ADD COLUMN external_id text;
      ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
      CREATE UNIQUE INDEX users_workspace_external_id ON users (workspace_id, external_id)
        WHERE external_id IS NOT NULL;
      ALTER TABLE users DROP CONSTRAINT users_email_key;
      CREATE UNIQUE INDEX users_workspace_email ON users (workspace_id, lower(email));
      CREATE TABLE provisioning_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces(id),
        client_id text NOT NULL,
        kind text NOT NULL,
        subject_external_id text NOT NULL,
        changes jsonb NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX provisioning_changes_workspace ON provisioning_changes (workspace_id, changed_at DESC, id DESC);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE provisioning_changes;
      DROP INDEX users_workspace_email;
      ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);
      DROP INDEX users_workspace_external_id;
      ALTER TABLE users DROP COLUMN active, DROP COLUMN external_id;
      DROP INDEX workspaces_external_id;
      ALTER TABLE workspaces DROP COLUMN external_id;
    `);
  }
}
