import { Database } from '../database/database';
import { FileStore } from '../infra/file-store';

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

/**
 * Deletes each tombstone's file, then forgets the tombstones of the files that are gone (a missing
 * file counts as gone). A file the store refuses keeps its tombstone, so the file sweeper (and
 * `npm run verify`, once old) still knows of it; one refusal never stops the others.
 */
export async function removeTombstonedFiles(
  db: Database,
  files: FileStore,
  tombstones: readonly Tombstone[],
): Promise<FileRemoval> {
  const removed: string[] = [];
  let firstError: unknown = undefined;
  for (const { id, key } of tombstones) {
    try {
      await files.delete(key);
      removed.push(id);
    } catch (error) {
      firstError ??= error;
    }
  }
  if (removed.length > 0) await db.rows('DELETE FROM file_tombstones WHERE id = ANY($1::bigint[])', [removed]);
  return { removed: removed.length, failed: tombstones.length - removed.length, firstError };
}
