import { Database } from '../database/database';
import { DELETE_BATCH_MAX, FileStore } from '../domain/files/file-store';

/** A queued file removal: the tombstone's id and the file's storage key. */
export interface Tombstone {
  id: string;
  key: string;
}

/** What one pass over some tombstones did: the ones whose files are gone, and the first refusal. */
export interface FileRemoval {
  removed: number;
  failed: number;
  /** The store's first refusal, for the log only: it may name server paths. */
  firstError: unknown;
}

/** What deleting some tombstones' files did, and the ids of the tombstones whose files are gone. */
export interface FileDeletion extends FileRemoval {
  goneIds: string[];
}

/**
 * Deletes each tombstone's file, DELETE_BATCH_MAX keys per store call (one DeleteObjects request on
 * S3; a missing file counts as gone); the caller forgets the tombstones of `goneIds`. One refusal
 * never stops the others, and a refused batch keeps all of its tombstones.
 */
export async function deleteTombstonedFiles(files: FileStore, tombstones: readonly Tombstone[]): Promise<FileDeletion> {
  const goneIds: string[] = [];
  let firstError: unknown = undefined;
  for (let start = 0; start < tombstones.length; start += DELETE_BATCH_MAX) {
    const batch = tombstones.slice(start, start + DELETE_BATCH_MAX);
    let refused: Set<string>;
    try {
      const failures = await files.deleteMany(batch.map((tombstone) => tombstone.key));
      firstError ??= failures[0]?.error;
      refused = new Set(failures.map((failure) => failure.key));
    } catch (error) {
      firstError ??= error;
      refused = new Set(batch.map((tombstone) => tombstone.key));
    }
    for (const { id, key } of batch) if (!refused.has(key)) goneIds.push(id);
  }
  return { removed: goneIds.length, failed: tombstones.length - goneIds.length, firstError, goneIds };
}

/**
 * Deletes each tombstone's file, then forgets the tombstones of the files that are gone. A file
 * the store refuses keeps its tombstone, so the file sweeper (and `npm run verify`, once old)
 * still knows of it.
 */
export async function removeTombstonedFiles(
  db: Database,
  files: FileStore,
  tombstones: readonly Tombstone[],
): Promise<FileRemoval> {
  const { goneIds, ...removal } = await deleteTombstonedFiles(files, tombstones);
  if (goneIds.length > 0) {
    // Forgetting tombstones of files already gone need not wait for the disk: should a crash lose
    // this commit, the tombstones come back and their (missing) files are simply deleted again.
    // The setting is local to this statement's own transaction and in force at its commit.
    await db.rows(
      `WITH gone AS (DELETE FROM file_tombstones WHERE id = ANY($1::bigint[]))
       SELECT set_config('synchronous_commit', 'off', true)`,
      [goneIds],
    );
  }
  return removal;
}
