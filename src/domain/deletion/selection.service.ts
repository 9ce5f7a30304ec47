import { Database, Sql } from '../../database/database';
import { keyInstant, keyMicros, TimeIdKey } from '../../database/keyset';
import { SqlFilter, SqlParams, sqlLiterals, whereOf } from '../../database/sql';
import { OBJECT_TABLES, ObjectTable, ObjectType, REMOVABLE_TASK_STATUSES, tableOf } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { UserRow } from '../domain-types';
import { Clock } from '../clock';
import { Operation, refuseWhileActive, requireMayAttempt } from '../policy';
import { checkRefBatch, groupRefs, notFound, ObjectRef, RefGroup } from '../archive/object-rows';
import { uuidOrNothing } from '../uuid';
import { activeDeletion } from './deletion-row';
import { selectionGenerationSql } from './batch-membership';
import { holdsCovering } from '../holds/legal-hold-row';
import { holdWorkspaceLock, lockWorkspace, tryHoldWorkspaceLock } from './workspace-lock';

/** Which archived objects a bulk mark or unmark applies to; every part is optional and they combine with AND. */
export interface MarkFilter {
  type?: ObjectType | null;
  archivedBefore?: Date | null;
  archivedAfter?: Date | null;
  createdBy?: string | null;
}

/** What to mark or unmark: exactly one of a list of refs or a filter. */
export interface SelectionInput {
  refs?: readonly ObjectRef[] | null;
  filter?: MarkFilter | null;
}

/** What one mark or unmark call did. */
export interface SelectionChange {
  /** Objects whose marked state this call changed. */
  changed: number;
  /** Tasks a filter matched but left alone because they are not REMOVED or VERIFIED. */
  skippedTasks: number;
  /** Archived objects a mark by filter matched but left alone because a legal hold covers them. */
  skippedHeld: number;
}

type Action = 'mark' | 'unmark';

/** What one chunk did: rows changed and picked, held rows counted (when asked), the key after its last row. */
interface ChunkResult {
  changed: number;
  picked: number;
  held: number | null;
  last: TimeIdKey | null;
}

/** Who changes the selection, and when: an admin, or the retention policy (`id` null, stored as `marked_by`). */
interface Marker {
  workspaceId: string;
  id: string | null;
  at: Date;
  /**
   * The retention policy, which runs every tick, mostly to find nothing: it counts no skipped
   * objects, which nobody reads.
   */
  policy: boolean;
}

/**
 * Rows per chunk of a change by filter: a few hundred milliseconds of row locks on a busy machine
 * (an UPDATE here also rewrites every index entry of the row), few enough chunks that their
 * overhead is small; measured by `npm run bench -- mark-1m`.
 */
export const MARK_CHUNK_ROWS = 10_000;

// The same "removable task" list feeds the SQL and the refusal message.
const REMOVABLE = REMOVABLE_TASK_STATUSES as readonly string[];

/**
 * The workspace's selection for permanent deletion (docs/rules.md, rules 3 and 4). Every call holds
 * the workspace lock, so it never interleaves with an activation; by filter it is set-based UPDATEs
 * of up to MARK_CHUNK_ROWS rows each, because a selection can be a million rows (the stats
 * triggers are per statement) and one transaction would lock them all for a minute.
 */
export class SelectionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Puts archived objects into the selection (admins); already marked ones stay as they are. */
  mark(user: UserRow, input: SelectionInput): Promise<SelectionChange> {
    return this.change(user, input, 'mark');
  }

  /** Takes objects out of the selection (admins); unmarked ones stay as they are. */
  unmark(user: UserRow, input: SelectionInput): Promise<SelectionChange> {
    return this.change(user, input, 'unmark');
  }

  private async change(user: UserRow, input: SelectionInput, action: Action): Promise<SelectionChange> {
    requireMayAttempt(
      user,
      action === 'mark' ? Operation.MARK : Operation.UNMARK,
      `${action} objects for permanent deletion`,
    );
    const { refs, filter } = input;
    if ((refs == null) === (filter == null)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, `Give exactly one of refs or filter to ${action} objects.`, {
        argument: refs == null ? 'refs|filter' : 'refs&filter',
      });
    }
    if (refs) {
      const groups = checkRefBatch(refs);
      return this.db.transaction(async (tx) => {
        await lockWorkspace(tx, user.workspaceId);
        await refuseWhileActive(tx, user.workspaceId, action);
        const changed = await this.byRefs(tx, adminMarker(user, this.clock), groups, action);
        return { changed, skippedTasks: 0, skippedHeld: 0 };
      });
    }
    // A filter may match a million rows: chunks of their own transactions keep each row lock short,
    // and the workspace lock, held by the session across them, keeps activations out until the last.
    return this.db.session((session) =>
      holdWorkspaceLock(session, user.workspaceId, async () => {
        await refuseWhileActive(session, user.workspaceId, action);
        return this.byFilter(session, adminMarker(user, this.clock), filter!, action);
      }),
    );
  }

  /**
   * The retention policy's mark: every archived object of the workspace archived before `before`
   * (tasks only when removable), by the same chunked path as a mark by filter, `marked_by` null.
   * Returns undefined, changing nothing, when the workspace is busy: its lock is held (an admin's
   * change, or another instance's tick) or a deletion is pending or executing (rule 4).
   */
  async markArchivedBefore(workspaceId: string, before: Date, at: Date): Promise<SelectionChange | undefined> {
    return this.db.session((session) =>
      tryHoldWorkspaceLock(session, workspaceId, async () => {
        if (await activeDeletion(session, workspaceId)) return undefined;
        const policy = { workspaceId, id: null, at, policy: true };
        return this.byFilter(session, policy, { archivedBefore: before }, 'mark');
      }),
    );
  }

  /** Checks every ref (exists, archived, removable task) before changing any, then one UPDATE per type. */
  private async byRefs(tx: Sql, by: Marker, groups: RefGroup[], action: Action): Promise<number> {
    const missing: ObjectRef[] = [];
    const active: ObjectRef[] = [];
    const held: ObjectRef[] = [];
    const tasks: { id: string; status: string }[] = [];
    for (const { table, ids } of groups) {
      const rows = await tx.rows<{ id: string; archived: boolean; held: boolean; status: string | null }>(
        `SELECT id, archived_at IS NOT NULL AS archived, held_count > 0 AS held,
           ${table.type === ObjectType.TASK ? 'status' : 'NULL AS status'}
         FROM ${table.table} WHERE workspace_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE`,
        [by.workspaceId, ids],
      );
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        if (!row) missing.push({ type: table.type, id });
        else if (action === 'mark' && !row.archived) active.push({ type: table.type, id });
        else if (action === 'mark' && row.held) held.push({ type: table.type, id });
        else if (action === 'mark' && row.status !== null && !REMOVABLE.includes(row.status))
          tasks.push({ id, status: row.status });
      }
    }
    if (missing.length > 0) throw notFound(missing);
    if (active.length > 0) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `Only archived objects can be marked for permanent deletion; archive these first: ` +
          `${active.map((r) => `${r.type} ${r.id}`).join(', ')}. Nothing was changed.`,
        { refs: active.map((r) => ({ ...r, reason: 'NOT_ARCHIVED' })) },
      );
    }
    if (held.length > 0) throw await heldRefusal(tx, by.workspaceId, held);
    if (tasks.length > 0) {
      throw new AppError(
        ErrorCode.BAD_USER_INPUT,
        `A task can be marked only when ${REMOVABLE.join(' or ')}: ` +
          `${tasks.map((t) => `TASK ${t.id} is ${t.status}`).join(', ')}. Nothing was changed.`,
        { tasks },
      );
    }
    let changed = 0;
    for (const { table, ids } of groups) {
      const params = new SqlParams();
      const byId = `workspace_id = ${params.add(by.workspaceId)} AND id = ANY(${params.add(ids)}::uuid[])`;
      const row = await tx.one<{ n: number }>(
        `WITH u AS (UPDATE ${table.table} SET ${this.assignment(params, by, action)}
                    WHERE ${byId} AND ${rowsToChangeCondition(action)} RETURNING 1)
         SELECT count(*)::int AS n FROM u`,
        params.values,
      );
      changed += row!.n;
    }
    return changed;
  }

  /**
   * Changes the rows a filter matches table by table, in chunks of MARK_CHUNK_ROWS, each one
   * statement (its own transaction); tasks a mark cannot take are counted, not refused. A failure
   * part-way leaves the chunks done so far changed; marking is idempotent, so a retry finishes the rest.
   */
  private async byFilter(session: Sql, by: Marker, filter: MarkFilter, action: Action): Promise<SelectionChange> {
    const tables = filter.type ? [tableOf(filter.type)] : OBJECT_TABLES;
    const filtered = filterCondition(by.workspaceId, filter);
    let changed = 0;
    let skippedTasks = 0;
    let skippedHeld = 0;
    for (const table of tables) {
      // An admin's mark counts the held objects it skips in its first chunk of each table (the held
      // set cannot change meanwhile: placing a hold takes the workspace lock too).
      let countHeld = action === 'mark' && !by.policy;
      let after: TimeIdKey | null = null;
      for (let chunk = MARK_CHUNK_ROWS; chunk === MARK_CHUNK_ROWS;) {
        const row = await this.changeChunk(session, by, table, filtered, action, countHeld, after);
        changed += row.changed;
        skippedHeld += row.held ?? 0;
        chunk = row.picked;
        after = row.last;
        countHeld = false;
      }
      if (isTaskMark(table, action) && !by.policy) {
        const counted = filtered.params.copy();
        const skipped = await session.one<{ n: number }>(
          `SELECT count(*)::int AS n FROM tasks WHERE ${whereOf(filtered)} AND marked_at IS NULL AND held_count = 0
             AND NOT status = ANY(${counted.add(REMOVABLE)}::text[])`,
          counted.values,
        );
        skippedTasks = skipped!.n;
      }
    }
    return { changed, skippedTasks, skippedHeld };
  }

  /**
   * One chunk: locks the next MARK_CHUNK_ROWS rows that still need the change, oldest archived
   * first after `after` (a keyset, see chunkWalk), and changes them by primary key. The order is
   * the one of the partial index of the rows still to change (`<table>_unmarked_archived` for a
   * mark, `_marked` for an unmark) and the key is an index condition, so with fresh or stale
   * statistics the pick reads from the key on and stops at the chunk (docs/write-paths.md).
   * Locking the pick re-checks each row as an UPDATE would, so the UPDATE names only ids: with the
   * conditions repeated there, statistics still counting no marked rows right after a large mark
   * made the planner walk `_marked_by_creator` against the chunk's ids (51 s a chunk at 300k
   * marked deals, 2 s by primary key). The removable statuses are written into the text, so the
   * planner can match the tasks' partial index, which holds removable ones only.
   */
  private async changeChunk(
    session: Sql,
    by: Marker,
    table: ObjectTable,
    filtered: SqlFilter,
    action: Action,
    countHeld: boolean,
    after: TimeIdKey | null,
  ): Promise<ChunkResult> {
    const params = filtered.params.copy();
    // Evaluated only when asked for (a CASE runs the subquery of the branch taken only), through the
    // partial index `<table>_held`, which holds only held rows.
    const held = `CASE WHEN ${params.add(countHeld)}::boolean THEN
      (SELECT count(*) FROM ${table.table} WHERE ${whereOf(filtered)} AND held_count > 0)::int END`;
    const conditions = [...filtered.conditions, rowsToChangeCondition(action)];
    if (isTaskMark(table, action)) conditions.push(`status IN (${sqlLiterals(REMOVABLE)})`);
    const walk = chunkWalk(action, params, after);
    if (walk.after) conditions.push(walk.after);
    const row = await session.one<ChunkResult>(
      `WITH picked AS (SELECT id, archived_at FROM ${table.table} WHERE ${conditions.join(' AND ')}
                       ORDER BY ${walk.order} LIMIT ${params.add(MARK_CHUNK_ROWS)} FOR NO KEY UPDATE),
       u AS (UPDATE ${table.table} SET ${this.assignment(params, by, action)}
             WHERE id = ANY(ARRAY(SELECT id FROM picked)) RETURNING 1)
       SELECT (SELECT count(*) FROM u)::int AS changed, (SELECT count(*) FROM picked)::int AS picked,
         (SELECT json_build_array(${keyMicros('archived_at')}, id) FROM picked
          ORDER BY ${walk.backwards} LIMIT 1) AS last,
         ${held} AS held`,
      params.values,
    );
    return row!;
  }

  /**
   * The SET list of `action`; a mark's time and marker are added to `params`. A mark carries the
   * workspace's current selection generation, which the next activation freezes (batch-membership.ts).
   */
  private assignment(params: SqlParams, by: Marker, action: Action): string {
    return action === 'mark'
      ? `marked_at = ${params.add(by.at)}, marked_by = ${params.add(by.id)}::uuid,
         mark_generation = ${selectionGenerationSql(`${params.add(by.workspaceId)}::uuid`)}`
      : 'marked_at = NULL, marked_by = NULL';
  }
}

/** An admin's change, timed by the service clock. */
function adminMarker(user: UserRow, clock: Clock): Marker {
  return { workspaceId: user.workspaceId, id: user.id, at: clock.now(), policy: false };
}

function isTaskMark(table: ObjectTable, action: Action): boolean {
  return action === 'mark' && table.type === ObjectType.TASK;
}

/** How a change walks its chunks: their order, the same backwards, and the rows after a key (SQL). */
interface ChunkWalk {
  order: string;
  backwards: string;
  after: string | null;
}

/**
 * The order of a change's chunks, oldest archived first, and the condition of the rows after the
 * key `after` in it. Among equal times an unmark goes by id, the order of `_marked` read backwards;
 * a mark by id descending, which no index gives whole, so the planner walks `_unmarked_archived`
 * by time and sorts each time's few rows (an archive call stamps at most 1,000 with one time): in
 * the order `_archived` gives, statistics that still counted as unmarked the rows a mark had just
 * changed made it walk `_archived` past every one of them to find nothing (4.8 s for a retention
 * tick over 300k tasks, 24 ms now).
 */
function chunkWalk(action: Action, params: SqlParams, after: TimeIdKey | null): ChunkWalk {
  const time = after && keyInstant(params, after[0]);
  const id = after && `${params.add(after[1])}::uuid`;
  return action === 'mark'
    ? {
        order: 'archived_at, id DESC',
        backwards: 'archived_at DESC, id',
        after: after && `archived_at >= ${time} AND (archived_at > ${time} OR id < ${id})`,
      }
    : {
        order: 'archived_at, id',
        backwards: 'archived_at DESC, id DESC',
        after: after && `(archived_at, id) > (${time}, ${id})`,
      };
}

/**
 * The WHERE of the rows a call changes: unmarked archived ones no legal hold covers for mark (the
 * tables' CHECK refuses a marked held row anyway), marked ones for unmark. Every marked row is in
 * the selection here: a change is refused while a deletion is active, under the workspace lock
 * that activation takes too (rule 4).
 */
function rowsToChangeCondition(action: Action): string {
  return action === 'mark'
    ? 'archived_at IS NOT NULL AND marked_at IS NULL AND held_count = 0'
    : 'marked_at IS NOT NULL';
}

/** The CONFLICT of a mark naming held objects: which holds, with their reasons, and what to do. */
async function heldRefusal(tx: Sql, workspaceId: string, held: ObjectRef[]): Promise<AppError> {
  const holds = new Map<string, { id: string; reason: string; refs: ObjectRef[] }>();
  for (const { table, ids } of groupRefs(held)) {
    for (const row of await holdsCovering(tx, workspaceId, table.type, ids)) {
      const hold = holds.get(row.holdId) ?? { id: row.holdId, reason: row.reason, refs: [] };
      hold.refs.push({ type: table.type, id: row.objectId });
      holds.set(row.holdId, hold);
    }
  }
  const named = [...holds.values()]
    .map((h) => `legal hold ${h.id} ("${h.reason}") covers ${h.refs.map((r) => `${r.type} ${r.id}`).join(', ')}`)
    .join('; ');
  return new AppError(
    ErrorCode.CONFLICT,
    `Objects under a legal hold cannot be marked for permanent deletion: ${named}. ` +
      'Release the hold first. Nothing was changed.',
    {
      refs: held.map((r) => ({ ...r, reason: 'ON_HOLD' })),
      holds: [...holds.values()].map((h) => ({ id: h.id, reason: h.reason, refs: h.refs })),
    },
  );
}

/** The WHERE of a filter over one object table (archived objects only), with its parameters. */
export function filterCondition(workspaceId: string, filter: MarkFilter): SqlFilter {
  const params = new SqlParams();
  const conditions = [`workspace_id = ${params.add(workspaceId)}`, 'archived_at IS NOT NULL'];
  if (filter.createdBy != null) conditions.push(`created_by = ${params.add(uuidOrNothing(filter.createdBy))}::uuid`);
  if (filter.archivedBefore) conditions.push(`archived_at < ${params.add(filter.archivedBefore)}`);
  if (filter.archivedAfter) conditions.push(`archived_at > ${params.add(filter.archivedAfter)}`);
  return { conditions, params };
}
