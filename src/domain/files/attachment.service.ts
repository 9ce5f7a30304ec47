import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { Database, Sql } from '../../database/database';
import { ObjectType, tableOf } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { FileStore, newStorageKey, TooLargeError } from './file-store';
import { DeletionStatus } from '../deletion/deletion-status';
import { UserRow } from '../domain-types';
import { notFound, ObjectRef } from '../archive/object-rows';
import { isUuid } from '../uuid';
import { isMediaType, MAX_MEDIA_TYPE_LENGTH } from './media-type';
import { objectTarget, visibleObject } from '../archive/visibility';
import { can, Operation } from '../policy';

/** An attachment as the API sees it. */
export interface AttachmentRow {
  id: string;
  objectType: string;
  objectId: string;
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  storageKey: string;
  createdById: string;
  createdAt: Date;
}

export const ATTACHMENT_COLUMNS = `id, object_type AS "objectType", object_id AS "objectId", file_name AS "fileName",
  mime_type AS "mimeType", size_bytes::float8 AS "sizeBytes", storage_key AS "storageKey",
  created_by AS "createdById", created_at AS "createdAt"`;

/** `details.reason` of the refusal for an upload past the size limit (HTTP 413). */
export const TOO_LARGE = 'TOO_LARGE';

/** `details.reason` of the refusal for an upload with no bytes. */
const EMPTY = 'EMPTY';

const MAX_FILE_NAME = 255;

/** Stores attachment bytes in the FileStore and their rows, keeping the owner's attachment_bytes exact. */
export class AttachmentService {
  constructor(
    private readonly db: Database,
    private readonly files: FileStore,
    private readonly maxBytes: number,
  ) {}

  /**
   * Streams `body` to the file store, then inserts the row and adds its size to the object in one
   * transaction. The stored size is what was written. If anything fails, the file is deleted again;
   * if the process dies first, the tombstone written before the file lets the sweeper remove it, so
   * no file is ever left without a row. Archived objects are read-only.
   */
  async upload(
    user: UserRow,
    ref: ObjectRef,
    fileName: string,
    mimeType: string,
    body: Readable,
  ): Promise<AttachmentRow> {
    const table = tableOf(ref.type);
    if (!fileName || fileName.length > MAX_FILE_NAME || /[\\/\0]/.test(fileName)) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `fileName must have 1 to ${MAX_FILE_NAME} characters and no slashes.`,
        { argument: 'fileName' },
      );
    }
    if (!isMediaType(mimeType)) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `Content-Type must be a media type such as "application/pdf" or "text/plain; charset=utf-8" (RFC 9110), at most ${MAX_MEDIA_TYPE_LENGTH} characters.`,
        { argument: 'Content-Type' },
      );
    }
    await this.checkWritable(this.db, user, ref, '');
    const key = newStorageKey(randomUUID());
    const tombstone = await this.db.one<{ id: string }>(
      'INSERT INTO file_tombstones (storage_key) VALUES ($1) RETURNING id::text',
      [key],
    );
    let size: number;
    try {
      size = await this.files.put(key, body, this.maxBytes);
      // An empty attachment is almost always a client's mistake (a file not read, a stream ended early).
      if (size === 0) {
        await this.files.delete(key);
        throw new AppError(ErrorCode.BAD_USER_INPUT, 'The file is empty; nothing was kept.', { reason: EMPTY });
      }
    } catch (error) {
      await this.db.rows('DELETE FROM file_tombstones WHERE id = $1', [tombstone!.id]);
      if (error instanceof TooLargeError) {
        throw new AppError(
          ErrorCode.BAD_USER_INPUT,
          `The file is larger than ${this.maxBytes} bytes; nothing was kept.`,
          {
            reason: TOO_LARGE,
            maxBytes: this.maxBytes,
          },
        );
      }
      throw error;
    }
    try {
      return await this.db.transaction(async (tx) => {
        // Re-checked under the row lock: the object may have been archived or removed during the upload.
        await this.checkWritable(tx, user, ref, 'FOR UPDATE');
        const row = await tx.one<AttachmentRow>(
          `INSERT INTO attachments (workspace_id, object_type, object_id, file_name, mime_type, size_bytes, storage_key, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ATTACHMENT_COLUMNS}`,
          [user.workspaceId, ref.type, ref.id, fileName, mimeType, size, key, user.id],
        );
        await tx.rows(`UPDATE ${table.table} SET attachment_bytes = attachment_bytes + $2 WHERE id = $1`, [
          ref.id,
          size,
        ]);
        // The row owns the file now.
        await tx.rows('DELETE FROM file_tombstones WHERE id = $1', [tombstone!.id]);
        return row!;
      });
    } catch (error) {
      await this.files.delete(key);
      await this.db.rows('DELETE FROM file_tombstones WHERE id = $1', [tombstone!.id]);
      throw error;
    }
  }

  /**
   * The attachment `id` if the user may see its object (the one visibility rule, `visibleObject`),
   * else NOT_FOUND, the same for a missing, a malformed or another workspace's id. An object whose
   * deletion is executing is about to vanish with its file, so it is not found either.
   */
  async visible(user: UserRow, id: string): Promise<AttachmentRow> {
    const missing = new AppError(ErrorCode.NOT_FOUND, `No attachment ${id} in your workspace.`);
    if (!isUuid(id)) throw missing;
    const row = await this.db.one<AttachmentRow>(
      `SELECT ${ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1 AND workspace_id = $2`,
      [id, user.workspaceId],
    );
    if (!row) throw missing;
    const owner = await visibleObject(this.db, user, { type: row.objectType as ObjectType, id: row.objectId });
    if (!owner || !can(user, Operation.DOWNLOAD_ATTACHMENT, objectTarget(owner))) throw missing;
    if (owner.deletionId && (await this.executing(owner.deletionId))) throw missing;
    return row;
  }

  /** Whether the deletion holding an object (its derived deletionId) is executing. */
  private async executing(deletionId: string): Promise<boolean> {
    const row = await this.db.one('SELECT 1 FROM deletions WHERE id = $1 AND status = $2', [
      deletionId,
      DeletionStatus.EXECUTING,
    ]);
    return row !== undefined;
  }

  /** Attachments of many objects in one statement; the DataLoader batch function. Keys are `TYPE:id`. */
  async byObjects(keys: readonly string[]): Promise<AttachmentRow[][]> {
    const types = new Set<string>();
    const ids = new Set<string>();
    for (const key of keys) {
      const colon = key.indexOf(':');
      types.add(key.slice(0, colon));
      ids.add(key.slice(colon + 1));
    }
    // Both columns of the attachments_object index (object_type, object_id): by object_id alone,
    // PostgreSQL cannot use it and reads the attachments of every workspace. A page is one type, so
    // the pairs this matches beyond the keys are none; the map below keeps only the keys anyway.
    const rows = await this.db.rows<AttachmentRow>(
      `SELECT ${ATTACHMENT_COLUMNS} FROM attachments
       WHERE object_type = ANY($1::text[]) AND object_id = ANY($2::uuid[]) ORDER BY created_at, id`,
      [[...types], [...ids]],
    );
    const byKey = new Map<string, AttachmentRow[]>();
    for (const row of rows) {
      const key = `${row.objectType}:${row.objectId}`;
      byKey.set(key, [...(byKey.get(key) ?? []), row]);
    }
    return keys.map((key) => byKey.get(key) ?? []);
  }

  /** NOT_FOUND unless the object is in the user's workspace; CONFLICT when it is archived. */
  private async checkWritable(sql: Sql, user: UserRow, ref: ObjectRef, lock: '' | 'FOR UPDATE'): Promise<void> {
    const table = tableOf(ref.type);
    const row = isUuid(ref.id)
      ? await sql.one<{ workspaceId: string; archivedAt: Date | null }>(
          `SELECT workspace_id AS "workspaceId", archived_at AS "archivedAt" FROM ${table.table}
           WHERE id = $1 AND workspace_id = $2 ${lock}`,
          [ref.id, user.workspaceId],
        )
      : undefined;
    if (!row || !can(user, Operation.UPLOAD_ATTACHMENT, { workspaceId: row.workspaceId })) throw notFound([ref]);
    if (row.archivedAt) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `${ref.type} ${ref.id} is archived, so it is read-only; restore it first.`,
      );
    }
  }
}
