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
    const inWorkspace = `workspace_id = ${params.add(user.workspaceId)}`;
    // Everything that narrows the workspace's archived objects; without any, a counter has the total.
    const narrowing: string[] = [];
    if (user.role !== Role.ADMIN) narrowing.push(`created_by = ${params.add(user.id)}`);
    if (filter.createdBy) narrowing.push(`created_by = ${params.add(uuidOrNothing(filter.createdBy))}`);
    if (filter.archivedBefore) narrowing.push(`archived_at < ${params.add(filter.archivedBefore)}`);
    if (filter.archivedAfter) narrowing.push(`archived_at > ${params.add(filter.archivedAfter)}`);
    if (filter.titleContains) narrowing.push(`strpos(lower(title), lower(${params.add(filter.titleContains)})) > 0`);
    const conditions = [inWorkspace, 'archived_at IS NOT NULL', ...narrowing];
    const page = await readTimeIdPage<ObjectRow>(
      this.db,
      {
        table: table.table,
        columns: objectColumns(table),
        timeColumn: 'archived_at',
        filter: { conditions, params },
        count: narrowing.length === 0 ? () => this.archivedCount(user.workspaceId, type) : undefined,
      },
      limit,
      after,
    );
    return { ...page, rows: page.rows.map((row) => ({ ...withDeletionState(row), cursorKey: row.cursorKey })) };
  }

  /**
   * All archived objects of a type in a workspace, from the counter the stats triggers keep exact
   * (type_stats): one row by primary key, where count(*) would read every archived row.
   */
  private async archivedCount(workspaceId: string, type: ObjectType): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      'SELECT archived_count::float8 AS n FROM type_stats WHERE workspace_id = $1 AND object_type = $2',
      [workspaceId, type],
    );
    return row?.n ?? 0;
  }
}
