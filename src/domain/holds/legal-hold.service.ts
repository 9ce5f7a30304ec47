import { Database, Sql } from '../../database/database';
import { OBJECT_TABLES, tableOf } from '../../database/object-tables';
import { KeysetPage, readTimeIdPage, TimeIdKey } from '../../database/keyset';
import { SqlParams } from '../../database/sql';
import { AppError, ErrorCode } from '../../errors';
import { checkRefBatch, notFound, ObjectRef } from '../archive/object-rows';
import { Clock } from '../clock';
import { DeletionEventType } from '../deletion/deletion-events';
import { DeletionLifecycle } from '../deletion/lifecycle/deletion-lifecycle';
import { filterCondition, SelectionInput } from '../deletion/selection.service';
import { holdWorkspaceLock, lockWorkspace } from '../deletion/workspace-lock';
import { UserRow } from '../domain-types';
import { Operation, requireMayAttempt } from '../policy';
import { viewerGuard } from '../identity/viewer-guard';
import { isUuid } from '../uuid';
import { coverRows, HOLD_CHUNK_ROWS, HoldCursor, refsFilter, uncoverRows } from './hold-cover';
import { lockActiveDeletion } from '../deletion/batch-membership';
import { LEGAL_HOLD_COLUMNS, LegalHoldRow, MAX_REASON_LENGTH } from './legal-hold-row';
import { sessionTransaction } from './session-transaction';

/**
 * Legal holds (docs/legal-holds.md): admins place a hold with a reason on objects named by refs or
 * by the mark filter, and release it. A held object is taken out of the selection or its pending
 * deletion when the hold is placed, and can be neither marked nor destroyed while any hold covers
 * it (`held_count` on its row; the table's CHECK refuses a marked held row whatever the code does).
 * Every call holds the workspace lock, as marking does, so holds never interleave with a mark,
 * an activation or a restore; by filter it works in chunks of their own transactions.
 */
export class LegalHoldService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly lifecycle: DeletionLifecycle,
  ) {}

  /** Places a hold on the objects named by exactly one of refs (≤ 1000, active or archived) or filter (archived ones). */
  async place(user: UserRow, reason: string, input: SelectionInput): Promise<LegalHoldRow> {
    requireMayAttempt(user, Operation.PLACE_LEGAL_HOLD, 'place legal holds');
    const text = checkReason(reason);
    const { refs, filter } = input;
    if ((refs == null) === (filter == null)) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'Give exactly one of refs or filter to place a legal hold.', {
        argument: refs == null ? 'refs|filter' : 'refs&filter',
      });
    }
    if (refs) return this.placeByRefs(user, text, refs);
    return this.db.session((session) =>
      holdWorkspaceLock(session, user.workspaceId, async () => {
        const hold = await sessionTransaction(session, (tx) => this.insertHold(tx, user, text));
        const tables = filter!.type ? [tableOf(filter!.type)] : OBJECT_TABLES;
        let count = 0;
        for (const table of tables) {
          let after: HoldCursor | null = null;
          for (let covered = HOLD_CHUNK_ROWS; covered === HOLD_CHUNK_ROWS;) {
            const chunk = await sessionTransaction(session, async (tx) => {
              const deletionId = await activeDeletionId(tx, user.workspaceId);
              const where = filterCondition(user.workspaceId, filter!);
              const options = { limit: HOLD_CHUNK_ROWS, after, returnIds: false, deletionId };
              return coverRows(tx, table, hold.id, where, options);
            });
            count += chunk.covered;
            covered = chunk.covered;
            after = chunk.last;
          }
        }
        return sessionTransaction(session, async (tx) =>
          this.announcePlaced(tx, user, hold.id, count, await activeDeletionId(tx, user.workspaceId)),
        );
      }),
    );
  }

  /** Releases an active hold; objects it alone covered can be marked again. Objects under another hold stay held. */
  async release(user: UserRow, id: string): Promise<LegalHoldRow> {
    requireMayAttempt(user, Operation.RELEASE_LEGAL_HOLD, 'release legal holds');
    if (!isUuid(id)) throw holdNotFound(id);
    return this.db.session((session) =>
      holdWorkspaceLock(session, user.workspaceId, async () => {
        const [current] = await this.byIds(user.workspaceId, [id], session);
        if (!current) throw holdNotFound(id);
        if (current.releasedAt) {
          throw new AppError(
            ErrorCode.CONFLICT,
            `Legal hold ${id} was already released at ${current.releasedAt.toISOString()}.`,
            {
              holdId: id,
            },
          );
        }
        // Membership first, in chunks; the hold is marked released last, so a failure part-way
        // leaves it active (its remaining objects still held) and a second release finishes it.
        for (const table of OBJECT_TABLES) {
          let chunk: { n: number; last: string | null } = { n: HOLD_CHUNK_ROWS, last: null };
          while (chunk.n === HOLD_CHUNK_ROWS)
            chunk = await uncoverRows(session, table, id, HOLD_CHUNK_ROWS, chunk.last);
        }
        return sessionTransaction(session, async (tx) => {
          const now = this.clock.now();
          const released = await tx.one<LegalHoldRow>(
            `UPDATE legal_holds SET released_at = $2, released_by = $3 WHERE id = $1 RETURNING ${LEGAL_HOLD_COLUMNS}`,
            [id, now, user.id],
          );
          const deletionId = await activeDeletionId(tx, user.workspaceId);
          await this.announce(tx, DeletionEventType.HOLD_RELEASED, user, released!, deletionId);
          return released!;
        });
      }),
    );
  }

  /**
   * A page of the user's workspace's holds, newest placed first (`limit + 1` rows), all or only
   * active / only released; admins only, checked again in the page's statement (viewer-guard.ts).
   */
  page(
    user: UserRow,
    limit: number,
    after: TimeIdKey | null,
    active: boolean | null,
  ): Promise<KeysetPage<LegalHoldRow>> {
    requireMayAttempt(user, Operation.VIEW_LEGAL_HOLDS);
    const params = new SqlParams();
    const conditions = [`workspace_id = ${params.add(user.workspaceId)}`];
    if (active === true) conditions.push('released_at IS NULL');
    if (active === false) conditions.push('released_at IS NOT NULL');
    // A workspace has few holds: counting them is cheap (the `legal_holds_list` index).
    return readTimeIdPage<LegalHoldRow>(
      this.db,
      {
        table: 'legal_holds',
        columns: LEGAL_HOLD_COLUMNS,
        timeColumn: 'placed_at',
        filter: { conditions, params },
        guard: (pageParams) => viewerGuard(user, pageParams),
      },
      limit,
      after,
    );
  }

  /** Holds by id, in the order asked; another workspace's (or a malformed id) is null. */
  async byIds(workspaceId: string, ids: readonly string[], sql: Sql = this.db): Promise<(LegalHoldRow | null)[]> {
    const valid = ids.filter(isUuid);
    const rows =
      valid.length === 0
        ? []
        : await sql.rows<LegalHoldRow>(
            `SELECT ${LEGAL_HOLD_COLUMNS} FROM legal_holds WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
            [workspaceId, valid],
          );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /** All or nothing: every ref must name an object of the workspace (active or archived), else NOT_FOUND. */
  private placeByRefs(user: UserRow, reason: string, refs: readonly ObjectRef[]): Promise<LegalHoldRow> {
    const groups = checkRefBatch(refs);
    if (groups.length === 0) {
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'Name at least one object to place a legal hold on.', {
        argument: 'refs',
      });
    }
    return this.db.transaction(async (tx) => {
      await lockWorkspace(tx, user.workspaceId);
      const deletionId = await activeDeletionId(tx, user.workspaceId);
      const hold = await this.insertHold(tx, user, reason);
      const missing: ObjectRef[] = [];
      let count = 0;
      for (const { table, ids } of groups) {
        const where = refsFilter(user.workspaceId, ids);
        const options = { limit: ids.length, after: null, returnIds: true, deletionId };
        const chunk = await coverRows(tx, table, hold.id, where, options);
        const found = new Set(chunk.ids);
        missing.push(...ids.filter((id) => !found.has(id)).map((id) => ({ type: table.type, id })));
        count += chunk.covered;
      }
      if (missing.length > 0) throw notFound(missing);
      return this.announcePlaced(tx, user, hold.id, count, deletionId);
    });
  }

  private async insertHold(tx: Sql, user: UserRow, reason: string): Promise<LegalHoldRow> {
    const row = await tx.one<LegalHoldRow>(
      `INSERT INTO legal_holds (workspace_id, reason, placed_by, placed_at) VALUES ($1, $2, $3, $4)
       RETURNING ${LEGAL_HOLD_COLUMNS}`,
      [user.workspaceId, reason, user.id, this.clock.now()],
    );
    return row!;
  }

  /** Writes the hold's count, then tells every admin (notification and event), in the same transaction. */
  private async announcePlaced(
    tx: Sql,
    user: UserRow,
    holdId: string,
    count: number,
    deletionId: string | null,
  ): Promise<LegalHoldRow> {
    const hold = await tx.one<LegalHoldRow>(
      `UPDATE legal_holds SET object_count = $2 WHERE id = $1 RETURNING ${LEGAL_HOLD_COLUMNS}`,
      [holdId, count],
    );
    await this.announce(tx, DeletionEventType.HOLD_PLACED, user, hold!, deletionId);
    return hold!;
  }

  /**
   * Through the deletion lifecycle's `announce`: a notification for every admin, the live event and
   * the lifecycle's effects (the webhook outbox…), all committing with the change. The event names
   * the workspace's active deletion, if any (a hold may have taken objects out of it).
   */
  private async announce(
    tx: Sql,
    type: DeletionEventType.HOLD_PLACED | DeletionEventType.HOLD_RELEASED,
    user: UserRow,
    hold: LegalHoldRow,
    deletionId: string | null,
  ): Promise<void> {
    await this.lifecycle.announce(tx, {
      type,
      workspaceId: user.workspaceId,
      deletionId,
      holdId: hold.id,
      actorId: user.id,
      occurredAt: type === DeletionEventType.HOLD_PLACED ? hold.placedAt : hold.releasedAt!,
      status: null,
    });
  }
}

/** The reason, trimmed: required, at most MAX_REASON_LENGTH characters. */
function checkReason(reason: string): string {
  const text = reason.trim();
  if (text.length === 0 || text.length > MAX_REASON_LENGTH) {
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `A legal hold needs a reason of 1 to ${MAX_REASON_LENGTH} characters, got ${text.length}.`,
      { argument: 'reason', max: MAX_REASON_LENGTH },
    );
  }
  return text;
}

function holdNotFound(id: string): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `No legal hold ${id} in your workspace.`, { holdId: id });
}

/** The id of the workspace's active deletion, locked (see lockActiveDeletion), or null. */
async function activeDeletionId(tx: Sql, workspaceId: string): Promise<string | null> {
  return (await lockActiveDeletion(tx, workspaceId))?.id ?? null;
}
