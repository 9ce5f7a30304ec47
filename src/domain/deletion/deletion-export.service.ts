import { createHash } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { Database, Sql } from '../../database/database';
import { OBJECT_TABLES, ObjectTable } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { FileStore } from '../files/file-store';
import { ZipWriter } from '../files/zip-writer';
import { Operation, requireMayAttempt } from '../policy';
import { Clock } from '../clock';
import { DELETION_COLUMNS, DeletionRow } from './deletion-row';
import { DeletionStatus } from './deletion-status';
import { UserRow } from '../domain-types';
import { attachmentsQuery, cursorBatches, objectsQuery, StoredRow } from './export-rows';
import { ExportedFile, ExportedVolume, ExportManifest, fileEntryName, TypeVolume } from './export-manifest';
import { isUuid } from '../uuid';

/**
 * Exports running at once in one process. Each holds a pooled connection for as long as its client
 * downloads (10 per process by default), so a few slow downloads must never take the connections
 * every GraphQL request needs.
 */
export const MAX_EXPORTS_IN_FLIGHT = 2;

/**
 * Exports a PENDING deletion as a ZIP (docs/export.md): admins of its workspace only. Everything is
 * read in one REPEATABLE READ, READ ONLY transaction, so every file of the ZIP describes the same
 * instant; rows come through cursors and files one at a time, each as fast as the client reads.
 */
export class DeletionExportService {
  private inFlight = 0;

  constructor(
    private readonly db: Database,
    private readonly files: FileStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Checks that `user` may export deletion `id` (FORBIDDEN, NOT_FOUND, CONFLICT unless PENDING), then
   * calls `start` (which sends the response's head and returns the ZIP to fill) and writes the ZIP.
   * A refusal comes before `start`; a failure after it (the deletion started executing, a file is
   * gone, the client left) rejects, and the caller must cut the response so no partial ZIP looks whole.
   */
  async export(
    user: UserRow,
    id: string,
    start: (deletion: DeletionRow) => ZipWriter,
    signal: AbortSignal,
  ): Promise<void> {
    requireMayAttempt(user, Operation.EXPORT, 'export a deletion');
    if (!isUuid(id)) throw noSuchDeletion(id);
    if (this.inFlight >= MAX_EXPORTS_IN_FLIGHT) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `${MAX_EXPORTS_IN_FLIGHT} exports are already running on this server; retry once one has finished.`,
        { reason: 'EXPORTS_BUSY' },
      );
    }
    this.inFlight += 1;
    try {
      await this.exportPending(user, id, start, signal);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async exportPending(
    user: UserRow,
    id: string,
    start: (deletion: DeletionRow) => ZipWriter,
    signal: AbortSignal,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.rows('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const deletion = await tx.one<DeletionRow>(
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
      const zip = start(deletion);
      const manifest = await new ExportRun(tx, this.files, deletion, zip, signal).write(this.clock.now());
      // Read outside the snapshot: had execution begun meanwhile, the ZIP could hold what is gone.
      await this.stillPending(id);
      zip.addBuffer('manifest.json', Buffer.from(JSON.stringify(manifest, null, 2)));
      zip.end();
    });
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

/** One export's walk over the deletion: the NDJSON files, then the attachments' files. */
class ExportRun {
  private readonly params: unknown[];

  constructor(
    private readonly tx: Sql,
    private readonly files: FileStore,
    private readonly deletion: DeletionRow,
    private readonly zip: ZipWriter,
    private readonly signal: AbortSignal,
  ) {
    this.params = [deletion.id, deletion.workspaceId];
  }

  async write(exportedAt: Date): Promise<ExportManifest> {
    const types: TypeVolume[] = [];
    for (const table of OBJECT_TABLES) types.push(await this.writeObjects(table));
    const attachments = await this.writeNdjson('attachments', attachmentsQuery(), 'size_bytes');
    const files: ExportedFile[] = [];
    for await (const rows of cursorBatches(this.tx, 'export_files', attachmentsQuery(), this.params, this.signal)) {
      for (const row of rows) files.push(await this.writeFile(row));
    }
    const { id, status, activatedAt, executeAfter } = this.deletion;
    return { deletionId: id, status, activatedAt, executeAfter, exportedAt, types, attachments, files };
  }

  private async writeObjects(table: ObjectTable): Promise<TypeVolume> {
    const volume = await this.writeNdjson(table.type.toLowerCase(), objectsQuery(table), 'attachment_bytes');
    return { type: table.type, ...volume };
  }

  /** `<name>.ndjson`, one row of `query` per line; its count and the sum of its `bytesColumn`. */
  private async writeNdjson(name: string, query: string, bytesColumn: string): Promise<ExportedVolume> {
    const volume = { file: `${name}.ndjson`, count: 0, bytes: 0 };
    const batches = cursorBatches(this.tx, `export_${name}`, query, this.params, this.signal);
    async function* lines(): AsyncGenerator<Buffer> {
      for await (const rows of batches) {
        volume.count += rows.length;
        for (const row of rows) volume.bytes += Number(row[bytesColumn]);
        yield Buffer.from(rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
      }
    }
    await this.zip.add(volume.file, Readable.from(lines(), { objectMode: false }), { compress: true });
    return volume;
  }

  /** One attachment's bytes under `files/<id>/<name>`, hashed on their way into the ZIP. */
  private async writeFile(row: StoredRow): Promise<ExportedFile> {
    const attachmentId = String(row.id);
    const body = await this.files.read(String(row.storage_key));
    if (!body) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `The file of attachment ${attachmentId} is gone: deletion ${this.deletion.id} is likely executing.`,
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
    const path = `files/${attachmentId}/${fileEntryName(String(row.file_name))}`;
    // Stored, not deflated: attachments are mostly compressed already (PDF, images), deflating them again costs CPU for little.
    await this.zip.add(path, entry, { compress: false, size: Number(row.size_bytes) });
    return { attachmentId, path, size, sha256: hash.digest('hex') };
  }
}
