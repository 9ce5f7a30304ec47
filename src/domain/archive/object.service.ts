import { Database, Sql } from '../../database/database';
import { ObjectType, REMOVABLE_TASK_STATUSES, TaskStatus, tableOf } from '../../database/object-tables';
import { SqlParams } from '../../database/sql';
import { AppError, ErrorCode } from '../../errors';
import { UserRow } from '../domain-types';
import { can, Operation } from '../policy';
import { groupRefs, notFound, ObjectRef, objectColumns, ObjectRow, refKey, withDeletionState } from './object-rows';
import { isUuid } from '../uuid';

/** What a new object holds: its type, title and any of its type's own fields (by GraphQL field name). */
export interface NewObject {
  type: ObjectType;
  title: string;
  own?: Record<string, unknown>;
}

const MAX_TITLE_LENGTH = 500;

/** Creates and reads CRM objects; every read is scoped to the caller's workspace. */
export class ObjectService {
  constructor(private readonly db: Database) {}

  /** Creates an object in the user's workspace; members and admins alike may create. */
  async create(user: UserRow, input: NewObject): Promise<ObjectRow> {
    const table = tableOf(input.type);
    const title = input.title.trim();
    if (!title || title.length > MAX_TITLE_LENGTH) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `A title must have 1 to ${MAX_TITLE_LENGTH} characters.`, {
        argument: 'title',
      });
    }
    const own = Object.entries(input.own ?? {}).filter(([, value]) => value !== undefined && value !== null);
    const foreign = own.filter(([field]) => !table.own.some((c) => c.field === field)).map(([field]) => field);
    if (foreign.length > 0) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `${input.type} has no field ${foreign.join(', ')}; its own fields are ${table.own.map((c) => c.field).join(', ')}.`,
        { fields: foreign },
      );
    }
    const columns = own.map(([field]) => table.own.find((c) => c.field === field)!.column);
    const params = new SqlParams();
    const values = [user.workspaceId, title, user.id, ...own.map(([, value]) => value)].map((v) => params.add(v));
    const row = await this.db.one<ObjectRow>(
      `INSERT INTO ${table.table} AS t (workspace_id, title, created_by${columns.map((c) => `, ${c}`).join('')})
       VALUES (${values.join(', ')}) RETURNING ${objectColumns(table, 't')}`,
      params.values,
    );
    return withDeletionState(row!);
  }

  /**
   * Changes a task's status: its creator or an admin. Allowed on archived tasks (a task must be
   * REMOVED or VERIFIED before it can be marked), but a marked or pending task may only move
   * between those two statuses, or it would sit in a deletion it no longer qualifies for.
   */
  async setTaskStatus(user: UserRow, id: string, status: TaskStatus): Promise<ObjectRow> {
    const table = tableOf(ObjectType.TASK);
    return this.db.transaction(async (tx) => {
      const current = isUuid(id)
        ? await tx.one<{ workspaceId: string; createdBy: string; markedAt: Date | null }>(
            `SELECT workspace_id AS "workspaceId", created_by AS "createdBy", marked_at AS "markedAt" FROM tasks
             WHERE id = $1 AND workspace_id = $2 FOR UPDATE`,
            [id, user.workspaceId],
          )
        : undefined;
      if (!current) throw notFound([{ type: ObjectType.TASK, id }]);
      if (!can(user, Operation.SET_TASK_STATUS, { workspaceId: current.workspaceId, ownerId: current.createdBy })) {
        throw new AppError(ErrorCode.FORBIDDEN, 'Only the task’s creator or an admin may change its status.');
      }
      if (current.markedAt && !REMOVABLE_TASK_STATUSES.includes(status)) {
        throw new AppError(
          ErrorCode.CONFLICT,
          `The task is marked for permanent deletion, so its status may only be ${REMOVABLE_TASK_STATUSES.join(' or ')}; ` +
            'unmark it (or cancel its deletion) first.',
        );
      }
      const row = await tx.one<ObjectRow>(
        `UPDATE tasks AS t SET status = $2 WHERE id = $1 RETURNING ${objectColumns(table, 't')}`,
        [id, status],
      );
      return withDeletionState(row!);
    });
  }

  /** The objects named by refs in the user's workspace, in the refs' order; missing ones are left out. */
  async byRefs(sql: Sql, workspaceId: string, refs: readonly ObjectRef[]): Promise<ObjectRow[]> {
    const found = new Map<string, ObjectRow>();
    for (const { table, ids } of groupRefs(refs.filter((r) => isUuid(r.id)))) {
      const rows = await sql.rows<ObjectRow>(
        `SELECT ${objectColumns(table)} FROM ${table.table} WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
        [workspaceId, ids],
      );
      for (const row of rows) found.set(refKey(row), withDeletionState(row));
    }
    const seen = new Set<string>();
    return refs.flatMap((ref) => {
      const key = refKey(ref);
      const row = found.get(key);
      if (!row || seen.has(key)) return [];
      seen.add(key);
      return [row];
    });
  }
}
