import { Database, Sql } from '../../database/database';
import { ObjectType } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { UserRow } from '../domain-types';
import { can, Operation } from '../policy';
import { checkRefBatch, notFound, ObjectRef, ObjectRow, RefGroup } from './object-rows';
import { ObjectService } from './object.service';
import { lockWorkspace } from '../deletion/workspace-lock';
import { inBatchSql, lockActiveDeletion } from '../deletion/batch-membership';

interface CurrentRow {
  id: string;
  workspaceId: string;
  createdBy: string;
}

/**
 * Archive and restore (docs/rules.md, rules 1 and 2). A batch is all-or-nothing: every ref is checked
 * before anything changes, and the first refusal names every bad ref. The SQL is written once
 * over OBJECT_TABLES; a batch runs one group of statements per type it names.
 */
export class ArchiveService {
  constructor(
    private readonly db: Database,
    private readonly objects: ObjectService,
  ) {}

  /** Archives the objects (creator or admin); already archived ones are left as they are. */
  async archive(user: UserRow, refs: readonly ObjectRef[]): Promise<ObjectRow[]> {
    const groups = checkRefBatch(refs);
    return this.db.transaction(async (tx) => {
      await this.readAndAuthorize(tx, user, groups, 'archive');
      for (const { table, ids } of groups) {
        // Locks the rows first, so a row the executor removed meanwhile is seen as gone.
        const locked = await tx.rows<{ id: string }>(
          `WITH old AS (SELECT id, archived_at FROM ${table.table} WHERE workspace_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE),
           upd AS (UPDATE ${table.table} t SET archived_at = now(), archived_by = $3 FROM old
                   WHERE t.id = old.id AND old.archived_at IS NULL RETURNING t.id)
           SELECT old.id FROM old`,
          [user.workspaceId, ids, user.id],
        );
        this.checkAllLocked(table.type, ids, locked);
      }
      return this.objects.byRefs(tx, user.workspaceId, refs);
    });
  }

  /**
   * Restores the objects (creator or admin), at any time: also while marked or pending. A
   * restored object leaves the selection or its deletion, whose frozen counts shrink in the same
   * transaction. The workspace lock keeps activation and cancel (which take it too) from moving
   * these objects in or out of a deletion before the commit, and the active deletion's row, locked
   * before any object row (the executor's order, so the two never deadlock), keeps the executor
   * from ending it; so the stats triggers and the deletion's figures see the same membership.
   */
  async restore(user: UserRow, refs: readonly ObjectRef[]): Promise<ObjectRow[]> {
    const groups = checkRefBatch(refs);
    return this.db.transaction(async (tx) => {
      await lockWorkspace(tx, user.workspaceId);
      await this.readAndAuthorize(tx, user, groups, 'restore');
      // The only deletion objects can be in; locked, so it neither starts nor ends before the commit.
      const active = await lockActiveDeletion(tx, user.workspaceId);
      for (const { table, ids } of groups) {
        const locked = await tx.rows<{ id: string; deletionId: string | null; bytes: number; changed: boolean }>(
          `WITH old AS (
             SELECT id, archived_at, coalesce(${inBatchSql('$4::bigint')}, false) AS in_batch, attachment_bytes
             FROM ${table.table} WHERE workspace_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE),
           upd AS (
             UPDATE ${table.table} t SET archived_at = NULL, archived_by = NULL, marked_at = NULL, marked_by = NULL
             FROM old WHERE t.id = old.id AND old.archived_at IS NOT NULL RETURNING t.id)
           SELECT old.id, CASE WHEN old.in_batch THEN $3::uuid END AS "deletionId", old.attachment_bytes::float8 AS bytes,
             upd.id IS NOT NULL AS changed
           FROM old LEFT JOIN upd ON upd.id = old.id`,
          [user.workspaceId, ids, active?.id ?? null, active?.generation ?? null],
        );
        this.checkAllLocked(table.type, ids, locked);
        await this.shrinkDeletions(tx, table.type, locked);
      }
      return this.objects.byRefs(tx, user.workspaceId, refs);
    });
  }

  /** Takes restored objects out of their deletions' frozen per-type figures: one statement per type. */
  private async shrinkDeletions(
    tx: Sql,
    type: ObjectType,
    rows: { deletionId: string | null; bytes: number; changed: boolean }[],
  ): Promise<void> {
    const left = rows.filter((row) => row.changed && row.deletionId !== null);
    if (left.length === 0) return;
    await tx.rows(
      `UPDATE deletion_type_volumes v SET count = v.count - d.count, bytes = v.bytes - d.bytes
       FROM (SELECT deletion_id, count(*) AS count, sum(bytes) AS bytes
             FROM unnest($2::uuid[], $3::bigint[]) AS r(deletion_id, bytes) GROUP BY deletion_id) d
       WHERE v.deletion_id = d.deletion_id AND v.object_type = $1`,
      [type, left.map((row) => row.deletionId), left.map((row) => row.bytes)],
    );
  }

  /** Reads the named objects (in the user's workspace) and refuses missing ones, then others' objects for members. */
  private async readAndAuthorize(
    tx: Sql,
    user: UserRow,
    groups: RefGroup[],
    action: 'archive' | 'restore',
  ): Promise<CurrentRow[]> {
    const all: CurrentRow[] = [];
    const missing: ObjectRef[] = [];
    const forbidden: ObjectRef[] = [];
    const operation = action === 'archive' ? Operation.ARCHIVE : Operation.RESTORE;
    for (const { table, ids } of groups) {
      const rows = await tx.rows<CurrentRow>(
        `SELECT id, workspace_id AS "workspaceId", created_by AS "createdBy" FROM ${table.table}
         WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
        [user.workspaceId, ids],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        if (!row) missing.push({ type: table.type, id });
        else if (!can(user, operation, { workspaceId: row.workspaceId, ownerId: row.createdBy })) {
          forbidden.push({ type: table.type, id });
        }
      }
      all.push(...rows);
    }
    if (missing.length > 0) throw notFound(missing);
    if (forbidden.length > 0) {
      throw new AppError(
        ErrorCode.FORBIDDEN,
        `Only an object's creator or an admin may ${action} it: ${forbidden.map((r) => `${r.type} ${r.id}`).join(', ')}. ` +
          'Nothing was changed.',
        { refs: forbidden.map((r) => ({ ...r, reason: 'FORBIDDEN' })) },
      );
    }
    return all;
  }

  /** An object that vanished between the check and the lock was removed by the executor: NOT_FOUND, all rolls back. */
  private checkAllLocked(type: ObjectType, ids: string[], locked: { id: string }[]): void {
    const got = new Set(locked.map((row) => row.id));
    const gone = ids.filter((id) => !got.has(id)).map((id) => ({ type, id }));
    if (gone.length > 0) throw notFound(gone);
  }
}
