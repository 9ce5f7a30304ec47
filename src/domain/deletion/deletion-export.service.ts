import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import { Database, Sql } from '../../database/database';
import { OBJECT_TABLES } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { FileStore } from '../files/file-store';
import { ZipWriter } from '../files/zip-writer';
import { Operation, requireMayAttempt } from '../policy';
import { Clock } from '../clock';
import { DELETION_COLUMNS, DeletionRow } from './deletion-row';
import { DeletionStatus } from './deletion-status';
import { UserRow } from '../domain-types';
import { attachmentsQuery, objectsQuery, StoredRow } from './export-rows';
import { ExportedFile, ExportedVolume, ExportManifest, fileEntryName, TypeVolume } from './export-manifest';
import { ExportLimits, ExportSlots } from './export-slots';
import { ExportSpool } from './export-spool';
import { isUuid } from '../uuid';

/** What the snapshot transaction staged: the deletion, its NDJSON files on disk and their volumes. */
interface Staged {
  deletion: DeletionRow;
  spool: ExportSpool;
  types: TypeVolume[];
  attachments: ExportedVolume;
}

/**
 * Exports a PENDING deletion as a ZIP (docs/export.md): admins of its workspace only. Every row is
 * read in one REPEATABLE READ, READ ONLY transaction, so every file of the ZIP describes the same
 * instant; that transaction only stages the rows to local disk and ends before the ZIP's first
 * byte, so the client's pace never holds a connection. Files come from the file store one at a time,
 * each as fast as the client reads. Exports run in slots with a share per workspace (ExportSlots).
 */
export class DeletionExportService {
  readonly slots: ExportSlots;

  constructor(
    private readonly db: Database,
    private readonly files: FileStore,
    private readonly clock: Clock,
    limits: ExportLimits,
  ) {
    this.slots = new ExportSlots(limits);
  }

  /**
   * The deletion `id` if `user` may export it now (FORBIDDEN, NOT_FOUND, CONFLICT unless PENDING):
   * what `HEAD` answers from, with one indexed read and no slot.
   */
  async exportable(user: UserRow, id: string, sql: Sql = this.db): Promise<DeletionRow> {
    requireMayAttempt(user, Operation.EXPORT, 'export a deletion');
    if (!isUuid(id)) throw noSuchDeletion(id);
    const deletion = await sql.one<DeletionRow>(
      `SELECT ${DELETION_COLUMNS} FROM deletions WHERE id = $1 AND workspace_id = $2`,
      [id, user.workspaceId],
    );
    if (!deletion) throw noSuchDeletion(id);
    if (deletion.status !== DeletionStatus.PENDING) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `Deletion ${id} is ${deletion.status}: only a PENDING deletion can be exported, before it executes.`,
        { deletionId: id, status: deletion.status },
      );
    }
    return deletion;
  }

  /**
   * Checks that `user` may export deletion `id`, takes a slot (CONFLICT `EXPORTS_BUSY` when none is
   * free), stages the rows, then calls `start` (which sends the response's head and returns the ZIP
   * to fill) and writes the ZIP. A refusal comes before `start`; a failure after it (the deletion
   * started executing, a file is gone, the client left) rejects, and the caller must cut the
   * response so no partial ZIP looks whole.
   */
  async export(
    user: UserRow,
    id: string,
    start: (deletion: DeletionRow) => ZipWriter,
    signal: AbortSignal,
  ): Promise<void> {
    requireMayAttempt(user, Operation.EXPORT, 'export a deletion');
    if (!isUuid(id)) throw noSuchDeletion(id);
    const release = this.slots.take(user.workspaceId);
    try {
      const spool = await ExportSpool.open();
      try {
        const staged = await this.stage(user, id, spool, signal);
        await this.writeZip(staged, start(staged.deletion), signal);
      } finally {
        await spool.remove();
      }
    } finally {
      release();
    }
  }

  /** The snapshot transaction: checks the deletion and writes every NDJSON file to `spool`. */
  private stage(user: UserRow, id: string, spool: ExportSpool, signal: AbortSignal): Promise<Staged> {
    return this.db.transaction(async (tx) => {
      await tx.rows('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const deletion = await this.exportable(user, id, tx);
      const params = [deletion.id, deletion.workspaceId];
      const types: TypeVolume[] = [];
      for (const table of OBJECT_TABLES) {
        const file = `${table.type.toLowerCase()}.ndjson`;
        const volume = await spool.stage(tx, file, objectsQuery(table), params, 'attachment_bytes', signal);
        types.push({ type: table.type, ...volume });
      }
      const attachments = await spool.stage(tx, 'attachments.ndjson', attachmentsQuery(), params, 'size_bytes', signal);
      return { deletion, spool, types, attachments };
    });
  }

  /** The ZIP: the staged NDJSON files, every attachment's bytes, then (still PENDING) the manifest. */
  private async writeZip({ deletion, spool, types, attachments }: Staged, zip: ZipWriter, signal: AbortSignal) {
    for (const { file } of [...types, attachments]) {
      await zip.add(file, createReadStream(spool.pathOf(file)), { compress: true });
    }
    const files: ExportedFile[] = [];
    for await (const row of spool.rows(attachments.file)) {
      signal.throwIfAborted();
      files.push(await this.writeFile(deletion, zip, row));
    }
    // Read outside the snapshot: had execution begun meanwhile, the ZIP could hold what is gone.
    await this.stillPending(deletion.id);
    const { id, status, activatedAt, executeAfter } = deletion;
    const exportedAt = this.clock.now();
    const manifest: ExportManifest = {
      deletionId: id,
      status,
      activatedAt,
      executeAfter,
      exportedAt,
      types,
      attachments,
      files,
    };
    zip.addBuffer('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)));
    zip.end();
  }

  /** One attachment's bytes under `files/<id>/<safe name>`, hashed on their way into the ZIP. */
  private async writeFile(deletion: DeletionRow, zip: ZipWriter, row: StoredRow): Promise<ExportedFile> {
    const attachmentId = String(row.id);
    const body = await this.files.read(String(row.storage_key));
    if (!body) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `The file of attachment ${attachmentId} is gone: deletion ${deletion.id} is likely executing.`,
      );
    }
    const hash = createHash('sha256');
    let size = 0;
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        size += chunk.length;
        callback(null, chunk);
      },
    });
    // Destroying `hashing` (client gone) destroys `body` too, which closes the file.
    const entry = pipeline(body, hashing, () => undefined);
    const fileName = String(row.file_name);
    const path = `files/${attachmentId}/${fileEntryName(fileName)}`;
    // Stored, not deflated: attachments are mostly compressed already (PDF, images), deflating them again costs CPU for little.
    await zip.add(path, entry, { compress: false, size: Number(row.size_bytes) });
    return { attachmentId, fileName, path, size, sha256: hash.digest('hex') };
  }

  private async stillPending(id: string): Promise<void> {
    const row = await this.db.one<{ status: DeletionStatus }>('SELECT status FROM deletions WHERE id = $1', [id]);
    if (row?.status === DeletionStatus.PENDING) return;
    throw new AppError(
      ErrorCode.CONFLICT,
      `Deletion ${id} became ${row?.status ?? 'gone'} during the export; the ZIP was cut off. Nothing to export now.`,
    );
  }
}

/** The refusal for a missing, malformed or another workspace's deletion id: all alike. */
function noSuchDeletion(id: string): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `No deletion ${id} in your workspace.`);
}
