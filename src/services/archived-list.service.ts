import { Database } from '../database/database';
import { ObjectType, tableOf } from '../database/object-tables';
import { Role, UserRow } from './domain-types';
import { isUuid, objectColumns, ObjectRow, withDeletionState } from './object-rows';

/** Narrows the archive list; every part is optional. */
export interface ArchivedFilter {
  archivedBefore?: Date | null;
  archivedAfter?: Date | null;
  createdBy?: string | null;
  titleContains?: string | null;
}

/** Position after which a page starts: archived_at in microseconds since the epoch (exact), and id. */
export type ArchivedKey = [string, string];

export interface ArchivedPage {
  rows: (ObjectRow & { cursorKey: ArchivedKey })[];
  totalCount: number;
}

/**
 * Lists archived objects of one type, newest archived first, by keyset (archived_at DESC, id DESC).
 * Members see only what they created; admins all of their workspace (DESIGN §2 rule 12).
 */
export class ArchivedListService {
  constructor(private readonly db: Database) {}

  /** One page (`limit + 1` rows, so the caller knows whether more follow) and the total. */
  async page(user: UserRow, type: ObjectType, limit: number, after: ArchivedKey | null, filter: ArchivedFilter) {
    const table = tableOf(type);
    const where = ['workspace_id = $1', 'archived_at IS NOT NULL'];
    const params: unknown[] = [user.workspaceId];
    const add = (condition: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(condition(`$${params.length}`));
    };
    if (user.role !== Role.ADMIN) add((p) => `created_by = ${p}`, user.id);
    if (filter.createdBy) {
      // A malformed id matches nothing rather than failing the cast.
      add(
        (p) => `created_by = ${p}`,
        isUuid(filter.createdBy) ? filter.createdBy : '00000000-0000-0000-0000-000000000000',
      );
    }
    if (filter.archivedBefore) add((p) => `archived_at < ${p}`, filter.archivedBefore);
    if (filter.archivedAfter) add((p) => `archived_at > ${p}`, filter.archivedAfter);
    if (filter.titleContains) add((p) => `strpos(lower(title), lower(${p})) > 0`, filter.titleContains);
    const filtered = [...where];
    const countParams = [...params];
    if (after) {
      params.push(after[0], after[1]);
      where.push(
        `(archived_at, id) < ('epoch'::timestamptz + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows = await this.db.rows<ObjectRow & { micros: string }>(
      `SELECT ${objectColumns(table)}, (extract(epoch FROM archived_at) * 1000000)::bigint::text AS micros
       FROM ${table.table} WHERE ${where.join(' AND ')}
       ORDER BY archived_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const count = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${table.table} WHERE ${filtered.join(' AND ')}`,
      countParams,
    );
    return {
      rows: rows.map(({ micros, ...row }) => ({
        ...withDeletionState(row),
        cursorKey: [micros, row.id] as ArchivedKey,
      })),
      totalCount: count!.n,
    };
  }
}
