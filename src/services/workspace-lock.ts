import { Sql } from '../database/database';

// First key of every workspace lock, so these advisory locks never collide with another use of the two-key space.
const WORKSPACE_LOCK_NAMESPACE = 7_340_101;

/**
 * Serialises the selection and activation of one workspace until the caller's transaction ends:
 * marking, unmarking and activating never interleave, so an activation freezes exactly the
 * selection that was there when it started.
 */
export async function lockWorkspace(tx: Sql, workspaceId: string): Promise<void> {
  await tx.rows('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WORKSPACE_LOCK_NAMESPACE, workspaceId]);
}
