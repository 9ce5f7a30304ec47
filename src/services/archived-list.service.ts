import { Database } from '../database/database';
import { ObjectType, tableOf } from '../database/object-tables';
import { SqlParams } from '../database/sql';
import { Role, UserRow } from './domain-types';
import { KeysetPage, readTimeIdPage, TimeIdKey } from './keyset';
import { objectColumns, ObjectRow, withDeletionState } from './object-rows';
import { uuidOrNothing } from './uuid';

/** Narrows the archive list; every part is optional. */
export interface ArchivedFilter {
  archivedBefore?: Date | null;
  archivedAfter?: Date | null;
  createdBy?: string | null;
  titleContains?: string | null;
}

/**
 * Lists archived objects of one type, newest archived first, by keyset (archived_at DESC, id DESC).
 * Members see only what they created; admins all of their workspace (DESIGN §2 rule 12).
 */
export class ArchivedListService {
  constructor(private readonly db: Database) {}

  /** One page (`limit + 1` rows, so the caller knows whether more follow) and the total. */
  async page(
    user: UserRow,
    type: ObjectType,
    limit: number,
    after: TimeIdKey | null,
    filter: ArchivedFilter,
  ): Promise<KeysetPage<ObjectRow>> {
    const table = tableOf(type);
    const params = new SqlParams();
    const conditions = [`workspace_id = ${params.add(user.workspaceId)}`, 'archived_at IS NOT NULL'];
    if (user.role !== Role.ADMIN) conditions.push(`created_by = ${params.add(user.id)}`);
    if (filter.createdBy) conditions.push(`created_by = ${params.add(uuidOrNothing(filter.createdBy))}`);
    if (filter.archivedBefore) conditions.push(`archived_at < ${params.add(filter.archivedBefore)}`);
    if (filter.archivedAfter) conditions.push(`archived_at > ${params.add(filter.archivedAfter)}`);
    if (filter.titleContains) conditions.push(`strpos(lower(title), lower(${params.add(filter.titleContains)})) > 0`);
    const page = await readTimeIdPage<ObjectRow>(
      this.db,
      { table: table.table, columns: objectColumns(table), timeColumn: 'archived_at', filter: { conditions, params } },
      limit,
      after,
    );
    return { ...page, rows: page.rows.map((row) => ({ ...withDeletionState(row), cursorKey: row.cursorKey })) };
  }
}
