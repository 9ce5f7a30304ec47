import { Database } from '../database/database';
import { FileStore } from '../domain/files/file-store';
import { DeletionStatus } from '../domain/deletion/deletion-status';
import { removeTombstonedFiles, Tombstone } from './file-removal';

/**
 * How long a tombstone without a deletion (an upload in flight: its file is written before its row
 * commits) is left alone; past that, the upload died and its file is an orphan.
 */
export const UPLOAD_TOMBSTONE_TTL_MS = 60 * 60_000;

/** Tombstones handled per sweep; the next tick takes the rest. */
const SWEEP_BATCH = 1_000;

/**
 * Deletes the files of tombstones nobody else will: those of a deletion that is no longer
 * executing (a run that completed while the file store refused some deletes, a FAILED run, or a
 * run that ended between its commit and its file removal) and those of uploads that died before
 * their row committed. A committed tombstone always means no row points to the file, so deleting
 * it twice, or while the executor does the same, is harmless: a missing file is not an error.
 */
export class FileSweeper {
  constructor(
    private readonly db: Database,
    private readonly files: FileStore,
  ) {}

  /** Removes up to one batch of abandoned files and their tombstones; returns how many. */
  async sweep(now: Date): Promise<number> {
    const rows = await this.db.rows<Tombstone>(
      `SELECT t.id::text, t.storage_key AS key FROM file_tombstones t
       LEFT JOIN deletions d ON d.id = t.deletion_id
       WHERE (t.deletion_id IS NOT NULL AND d.status IS DISTINCT FROM $4)
          OR (t.deletion_id IS NULL AND t.created_at < $1::timestamptz - $2 * interval '1 millisecond')
       ORDER BY t.id LIMIT $3`,
      [now, UPLOAD_TOMBSTONE_TTL_MS, SWEEP_BATCH, DeletionStatus.EXECUTING],
    );
    // A file the store refuses keeps its tombstone: `npm run verify` reports it if it lasts.
    return (await removeTombstonedFiles(this.db, this.files, rows)).removed;
  }
}
