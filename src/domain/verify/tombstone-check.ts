import type { VerifyCheck } from './verify-check';

/** A tombstone lives from a chunk's commit until its file is deleted, which is seconds; older ones are stuck. */
const TOMBSTONE_MAX_AGE_MINUTES = 5;

/**
 * Flags files whose rows are gone but which were never deleted from the store: the executor
 * crashed and no run resumed its deletion, or the file store keeps refusing the delete.
 */
export const noStaleTombstones: VerifyCheck = {
  name: `no file tombstone older than ${TOMBSTONE_MAX_AGE_MINUTES} minutes`,
  async run({ db }) {
    const rows = await db.rows<{ key: string; deletionId: string | null; createdAt: Date }>(
      `SELECT storage_key AS key, deletion_id AS "deletionId", created_at AS "createdAt" FROM file_tombstones
       WHERE created_at < now() - $1 * interval '1 minute' ORDER BY id`,
      [TOMBSTONE_MAX_AGE_MINUTES],
    );
    return rows.map(
      (row) =>
        `file ${row.key} (deletion ${row.deletionId ?? 'none'}) awaits removal since ${row.createdAt.toISOString()}`,
    );
  },
};
