import { Sql } from '../database/database';

// First key of every workspace lock, so these advisory locks never collide with another use of the two-key space.
const WORKSPACE_LOCK_NAMESPACE = 7_340_101;

/**
 * Serialises the selection, activation and restores of one workspace until the caller's
 * transaction ends: marking, unmarking, activating and restoring never interleave, so an
 * activation freezes exactly the selection that was there when it started, and a restore never
 * sees its objects frozen into a deletion between its read and its row locks.
 */
export async function lockWorkspace(tx: Sql, workspaceId: string): Promise<void> {
  await tx.rows('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WORKSPACE_LOCK_NAMESPACE, workspaceId]);
}
