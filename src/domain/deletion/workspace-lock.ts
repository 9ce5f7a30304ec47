import { Sql } from '../../database/database';

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

/**
 * The same lock, held by a session (`Database.session`) across many short transactions until
 * `work` ends: a change made in chunks keeps activations and restores out for its whole length,
 * as one transaction would, while each chunk's row locks last only as long as the chunk.
 */
export async function holdWorkspaceLock<T>(session: Sql, workspaceId: string, work: () => Promise<T>): Promise<T> {
  await session.rows('SELECT pg_advisory_lock($1, hashtext($2))', [WORKSPACE_LOCK_NAMESPACE, workspaceId]);
  return unlockingAfter(session, workspaceId, work);
}

/**
 * `holdWorkspaceLock` for background work that should not queue behind an admin's long change:
 * runs `work` under the lock if it is free now and returns its result, or returns undefined at once.
 */
export async function tryHoldWorkspaceLock<T>(
  session: Sql,
  workspaceId: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  const row = await session.one<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [
    WORKSPACE_LOCK_NAMESPACE,
    workspaceId,
  ]);
  if (!row!.locked) return undefined;
  return unlockingAfter(session, workspaceId, work);
}

/** Runs `work` under the session lock already taken, and releases it however `work` ends. */
async function unlockingAfter<T>(session: Sql, workspaceId: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } finally {
    await session.rows('SELECT pg_advisory_unlock($1, hashtext($2))', [WORKSPACE_LOCK_NAMESPACE, workspaceId]);
  }
}
