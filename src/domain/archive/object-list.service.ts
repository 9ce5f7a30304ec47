import { Database } from '../../database/database';
import { ObjectTable, ObjectType, tableOf } from '../../database/object-tables';
import { SqlParams } from '../../database/sql';
import { Operation, requireMayAttempt } from '../policy';
import { ACTIVE_DELETION_STATUSES, DeletionState, DeletionStatus } from '../deletion/deletion-status';
import { activeGenerationSql, deletionGenerationSql, inBatchSql, outsideBatchSql } from '../deletion/batch-membership';
import { UserRow } from '../domain-types';
import { KeysetPage, readTimeIdPage, TimeIdKey } from '../../database/keyset';
import { objectColumns, ObjectRow, withDeletionState } from './object-rows';
import { uuidOrNothing } from '../uuid';
import { visibleObject, visibleTo } from './visibility';
import { ListedObject, RelatedRows, RelatedSelection, relatedColumn, relatedRows } from './related-rows';
import { viewerGuard } from '../identity/viewer-guard';

/** Narrows the archive list; every part is optional. */
export interface ArchivedFilter {
  archivedBefore?: Date | null;
  archivedAfter?: Date | null;
  createdBy?: string | null;
  /** Only objects this user archived (`<table>_archived_by_archiver`). */
  archivedBy?: string | null;
  titleContains?: string | null;
  /** Only objects in these deletion states; all when omitted or empty. */
  deletionState?: readonly DeletionState[] | null;
}

/** Narrows the list of active objects; every part is optional. */
export interface ActiveFilter {
  createdBy?: string | null;
  titleContains?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

/** A deletion as Deletion.objects needs it: which one, and whether it still holds objects. */
export interface DeletionRef {
  id: string;
  status: DeletionStatus;
}

/** Which page of a list to read, and which related rows with it. */
interface PageWindow {
  limit: number;
  after: TimeIdKey | null;
  related: RelatedSelection;
}

/** What a list reads: its conditions, the column it is ordered by, and a counter where one exists. */
interface ListQuery {
  timeColumn: 'archived_at' | 'created_at';
  conditions: string[];
  params: SqlParams;
  count?: () => Promise<number>;
}

/**
 * Each deletion state as a condition, given the generation the workspace's pending or executing
 * deletion froze (`active`, null when there is none; batch-membership.ts). NONE walks
 * `<table>_archived`; MARKED and PENDING name `marked_at IS NOT NULL` outright (a pending object
 * is always marked), so each, or both, walks `<table>_marked`. The generation is read first and
 * passed as a value, not a subquery: then the planner estimates the generation test from the
 * column's statistics (a workspace never has both groups at once, since no mark is made while a
 * deletion is active: rule 4, so it keeps nearly every row) and keeps the index walk in order,
 * where a subquery's unknown value made it guess a third and sort. Several states are their
 * conditions' OR.
 */
function stateCondition(state: DeletionState, active: string | null, params: SqlParams): string {
  if (state === DeletionState.NONE) return 'marked_at IS NULL';
  const generation = active === null ? null : `${params.add(active)}::bigint`;
  if (state === DeletionState.MARKED) return generation ? outsideBatchSql(generation) : 'marked_at IS NOT NULL';
  return generation ? inBatchSql(generation) : 'false';
}

/** The condition for objects in any of `states`; undefined when that is every archived object. */
function inStates(states: readonly DeletionState[], active: string | null, params: SqlParams): string | undefined {
  if (states.length === 0 || states.length === 3) return undefined;
  return `(${states.map((state) => `(${stateCondition(state, active, params)})`).join(' OR ')})`;
}

/**
 * Reads CRM objects as a user may see them: the archive list (also narrowed to the selection or the
 * pending deletion), the active objects, a deletion's remaining objects, and one object by id.
 * Every list is newest first by keyset on a (…, time DESC, id DESC) index (docs/lists.md).
 */
export class ObjectListService {
  constructor(private readonly db: Database) {}

  /** A page of archived objects, newest archived first (`limit + 1` rows) and the total. */
  async archived(
    user: UserRow,
    type: ObjectType,
    limit: number,
    after: TimeIdKey | null,
    filter: ArchivedFilter,
    related: RelatedSelection = {},
  ): Promise<KeysetPage<ListedObject>> {
    const table = tableOf(type);
    const params = new SqlParams();
    const visible = visibleTo(user, 'archived', params);
    const states = [...new Set(filter.deletionState ?? [])];
    const marks = states.length < 3 && states.some((state) => state !== DeletionState.NONE);
    const active = marks ? await this.activeGeneration(user.workspaceId) : null;
    // While a deletion is active the selection is empty (rule 4: nothing is marked then), yet the walk
    // would filter every row of the batch on `<table>_marked` to find none (370 ms at 1M): the
    // selection's counter answers first, and a zero makes the page's condition `false`, which the
    // planner answers without a scan (the page's statement still runs, for its viewer guard).
    const selectionOnly = states.length === 1 && states[0] === DeletionState.MARKED;
    const emptySelection =
      active !== null && selectionOnly && (await this.counted(user.workspaceId, type, 'selection')) === 0;
    const condition = emptySelection ? 'false' : inStates(states, active, params);
    const { createdBy, titleContains, archivedBefore: before, archivedAfter: since } = filter;
    const narrowing = narrowingOf({ createdBy, titleContains, before, after: since }, 'archived_at', params);
    if (filter.archivedBy) narrowing.push(`archived_by = ${params.add(uuidOrNothing(filter.archivedBy))}`);
    const unnarrowed = visible.length === 1 && narrowing.length === 0;
    const counter = !unnarrowed ? undefined : condition ? STATE_COUNTERS[states.join()] : 'archived';
    return this.read(
      user,
      table,
      {
        timeColumn: 'archived_at',
        conditions: [...visible, 'archived_at IS NOT NULL', ...(condition ? [condition] : []), ...narrowing],
        params,
        count: counter ? () => this.counted(user.workspaceId, type, counter) : undefined,
      },
      { limit, after, related },
    );
  }

  /** A page of active (not archived) objects, newest created first, and the total. */
  active(
    user: UserRow,
    type: ObjectType,
    limit: number,
    after: TimeIdKey | null,
    filter: ActiveFilter,
    related: RelatedSelection = {},
  ): Promise<KeysetPage<ListedObject>> {
    const table = tableOf(type);
    const params = new SqlParams();
    const visible = visibleTo(user, 'active', params);
    const { createdBy, titleContains, createdBefore: before, createdAfter: since } = filter;
    const narrowing = narrowingOf({ createdBy, titleContains, before, after: since }, 'created_at', params);
    const unnarrowed = visible.length === 1 && narrowing.length === 0;
    return this.read(
      user,
      table,
      {
        timeColumn: 'created_at',
        conditions: [...visible, 'archived_at IS NULL', ...narrowing],
        params,
        count: unnarrowed ? () => this.counted(user.workspaceId, type, 'active') : undefined,
      },
      { limit, after, related },
    );
  }

  /**
   * The objects of one type that a pending or executing deletion still holds, newest archived
   * first (admins only). Once the deletion has ended it holds none: the history keeps no personal
   * data. The total is its frozen count minus what the executor removed, read by primary key.
   */
  async inDeletion(
    user: UserRow,
    deletion: DeletionRef,
    type: ObjectType,
    limit: number,
    after: TimeIdKey | null,
    related: RelatedSelection = {},
  ): Promise<KeysetPage<ListedObject>> {
    requireMayAttempt(user, Operation.VIEW_DELETION_OBJECTS, 'list the objects of a deletion');
    if (!ACTIVE_DELETION_STATUSES.includes(deletion.status)) return { rows: [], totalCount: async () => 0 };
    const params = new SqlParams();
    // The generation as a subquery (NULL, so no row, once the deletion has ended): one statement. A
    // reviewer is an admin, so no creator narrows the walk and the planner keeps `<table>_marked` in order.
    const conditions = [
      inBatchSql(deletionGenerationSql(`${params.add(deletion.id)}::uuid`)),
      ...visibleTo(user, 'archived', params),
    ];
    return this.read(
      user,
      tableOf(type),
      {
        timeColumn: 'archived_at',
        conditions,
        params,
        count: () => this.remaining(user.workspaceId, deletion.id, type),
      },
      { limit, after, related },
    );
  }

  /** The generation the workspace's pending or executing deletion froze, or null (`deletions_one_active`). */
  private async activeGeneration(workspaceId: string): Promise<string | null> {
    const row = await this.db.one<{ generation: string }>(
      `SELECT ${activeGenerationSql('$1::uuid')}::text AS generation`,
      [workspaceId],
    );
    return row?.generation ?? null;
  }

  /** One object, archived or not; undefined when it is missing, another workspace's, or archived and not the member's. */
  visible(user: UserRow, type: ObjectType, id: string): Promise<ObjectRow | undefined> {
    return visibleObject(this.db, user, { type, id });
  }

  /**
   * One statement per page: the rows, the related rows the query selected (related-rows.ts) and the
   * check that `user` (from the user cache) still has the rights the page is filtered with.
   */
  private async read(
    user: UserRow,
    table: ObjectTable,
    list: ListQuery,
    page: PageWindow,
  ): Promise<KeysetPage<ListedObject>> {
    const related = relatedColumn(table, page.related);
    const read = await readTimeIdPage<ObjectRow>(
      this.db,
      {
        table: table.table,
        columns: related ? `${objectColumns(table, table.table)}, ${related}` : objectColumns(table, table.table),
        timeColumn: list.timeColumn,
        filter: { conditions: list.conditions, params: list.params },
        count: list.count,
        guard: (params) => viewerGuard(user, params),
      },
      page.limit,
      page.after,
    );
    for (const row of read.rows) {
      withDeletionState(row);
      if (related) row.related = relatedRows(row.related as RelatedRows);
    }
    return read as KeysetPage<ListedObject>;
  }

  /**
   * A workspace's objects of a type in one group, from the counters the stats triggers keep exact
   * (type_stats): one row by primary key, where count(*) would read every row of the group.
   */
  private async counted(workspaceId: string, type: ObjectType, group: keyof typeof COUNTER_SQL): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `SELECT (${COUNTER_SQL[group]})::float8 AS n FROM type_stats WHERE workspace_id = $1 AND object_type = $2`,
      [workspaceId, type],
    );
    return row?.n ?? 0;
  }

  /** What an active deletion still holds of a type: its frozen count (restores lower it) minus what was removed. */
  private async remaining(workspaceId: string, deletionId: string, type: ObjectType): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `SELECT (v.count - v.done_count)::float8 AS n FROM deletion_type_volumes v
       JOIN deletions d ON d.id = v.deletion_id
       WHERE v.deletion_id = $1 AND v.object_type = $2 AND d.workspace_id = $3 AND d.status = ANY($4::text[])`,
      [deletionId, type, workspaceId, ACTIVE_DELETION_STATUSES],
    );
    return row?.n ?? 0;
  }
}

/** The type_stats expression behind each counted group. */
const COUNTER_SQL = {
  archived: 'archived_count',
  active: 'all_count - archived_count',
  selection: 'marked_count',
} as const;

/** The counter of an unnarrowed list of some deletion states (joined with a comma), where type_stats keeps one. */
const STATE_COUNTERS: Record<string, keyof typeof COUNTER_SQL | undefined> = { MARKED: 'selection' };

/** What both lists' filters share: the creator, the title, and a window on the list's own time column. */
interface Narrowing {
  createdBy?: string | null;
  titleContains?: string | null;
  before?: Date | null;
  after?: Date | null;
}

/**
 * The conditions of a filter beyond visibility; without any, a counter may have the total. The
 * title is matched case-insensitively with strpos, so the text needs no LIKE wildcards escaped.
 */
function narrowingOf(filter: Narrowing, timeColumn: string, params: SqlParams): string[] {
  const conditions: string[] = [];
  if (filter.createdBy) conditions.push(`created_by = ${params.add(uuidOrNothing(filter.createdBy))}`);
  if (filter.before) conditions.push(`${timeColumn} < ${params.add(filter.before)}`);
  if (filter.after) conditions.push(`${timeColumn} > ${params.add(filter.after)}`);
  if (filter.titleContains) conditions.push(`strpos(lower(title), lower(${params.add(filter.titleContains)})) > 0`);
  return conditions;
}
