import { Config } from '../../config';
import { Database, Sql } from '../../database/database';
import { OBJECT_TABLES } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { Operation, refuseWhileActive, requireMayAttempt } from '../policy';
import { activeDeletion, DELETION_COLUMNS, DeletionRow, DeletionVolumeRow } from './deletion-row';
import { UserRow } from '../domain-types';
import { Clock } from '../clock';
import { DeletionStatus } from './deletion-status';
import { DeletionLifecycle } from './lifecycle/deletion-lifecycle';
import { CANCEL } from './lifecycle/lifecycle-sql';
import { isUuid } from '../uuid';
import { lockWorkspace } from './workspace-lock';

const UNIQUE_VIOLATION = '23505';

/**
 * Activation and cancellation of permanent deletions (docs/rules.md, rules 5–7, 10): the checks and
 * refusals; the transitions themselves (row, notifications, event, effects) are the lifecycle's.
 */
export class DeletionService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly lifecycle: DeletionLifecycle,
  ) {}

  /** Turns the workspace's selection into a PENDING deletion that executes after the grace period. */
  async activate(user: UserRow): Promise<DeletionRow> {
    requireMayAttempt(user, Operation.ACTIVATE, 'activate a deletion');
    try {
      return await this.db.transaction(async (tx) => {
        await lockWorkspace(tx, user.workspaceId);
        await refuseWhileActive(tx, user.workspaceId, 'activate another deletion');
        await refuseEmptySelection(tx, user.workspaceId);
        const now = this.clock.now();
        const executeAfter = new Date(now.getTime() + this.config.deletionGracePeriodMs);
        return this.lifecycle.activate(tx, { workspaceId: user.workspaceId, actorId: user.id, now, executeAfter });
      });
    } catch (error) {
      // The database's own guard (rule 5), should anything bypass the workspace lock.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        throw new AppError(
          ErrorCode.CONFLICT,
          'Another deletion is already pending or executing in this workspace: wait for it to finish, or cancel it first.',
        );
      }
      throw error;
    }
  }

  /**
   * Cancels a PENDING deletion; its objects return to the selection, still marked. The lifecycle's
   * conditional UPDATE is the race guard against the executor's claim; when it matched nothing,
   * the refusal says why.
   */
  async cancel(user: UserRow, id: string): Promise<DeletionRow> {
    requireMayAttempt(user, Operation.CANCEL, 'cancel a deletion');
    if (!isUuid(id)) throw deletionNotFound(id);
    return this.db.transaction(async (tx) => {
      // Handing the objects back to the selection moves the counters only: no restore or hold of
      // this workspace may be half-way through meanwhile (they take the same lock).
      await lockWorkspace(tx, user.workspaceId);
      const deletion = await this.lifecycle.cancel(tx, {
        deletionId: id,
        workspaceId: user.workspaceId,
        actorId: user.id,
        now: this.clock.now(),
      });
      if (!deletion) {
        const current = await tx.one<{ status: DeletionStatus }>(
          'SELECT status FROM deletions WHERE id = $1 AND workspace_id = $2',
          [id, user.workspaceId],
        );
        if (!current) throw deletionNotFound(id);
        throw new AppError(
          ErrorCode.CONFLICT,
          `Deletion ${id} is ${current.status}: only a ${CANCEL.from.join(' or ')} deletion can be cancelled. Nothing was changed.`,
          { deletionId: id, status: current.status },
        );
      }
      return deletion;
    });
  }

  /** Deletions by id within one workspace, in the order asked (null where unknown); a DataLoader batch function. */
  async byIds(workspaceId: string, ids: readonly string[]): Promise<(DeletionRow | null)[]> {
    const valid = ids.filter(isUuid);
    const rows =
      valid.length === 0
        ? []
        : await this.db.rows<DeletionRow>(
            `SELECT ${DELETION_COLUMNS} FROM deletions WHERE workspace_id = $1 AND id = ANY($2::uuid[])`,
            [workspaceId, valid],
          );
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  }

  /** The per-type figures of each deletion, in the order asked; a DataLoader batch function. */
  async volumesByIds(ids: readonly string[]): Promise<DeletionVolumeRow[][]> {
    const rows = await this.db.rows<DeletionVolumeRow>(
      `SELECT deletion_id AS "deletionId", object_type AS type, count::float8 AS count, bytes::float8 AS bytes,
         done_count::float8 AS "doneCount", done_bytes::float8 AS "doneBytes"
       FROM deletion_type_volumes WHERE deletion_id = ANY($1::uuid[])`,
      [ids],
    );
    const order = new Map(OBJECT_TABLES.map((t, i) => [t.type, i]));
    rows.sort((a, b) => order.get(a.type)! - order.get(b.type)!);
    return ids.map((id) => rows.filter((row) => row.deletionId === id));
  }

  /** The workspace's PENDING or EXECUTING deletion, if any. */
  active(workspaceId: string): Promise<DeletionRow | undefined> {
    return activeDeletion(this.db, workspaceId);
  }
}

/** The refusal for an id that names no deletion of the caller's workspace. */
function deletionNotFound(id: string): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `No such deletion in your workspace: ${id}. Nothing was changed.`, {
    deletionId: id,
  });
}

/** Activation needs something to delete; the counters say so in O(1). */
async function refuseEmptySelection(tx: Sql, workspaceId: string): Promise<void> {
  const row = await tx.one<{ n: number }>(
    'SELECT coalesce(sum(marked_count), 0)::float8 AS n FROM type_stats WHERE workspace_id = $1',
    [workspaceId],
  );
  if (row!.n > 0) return;
  throw new AppError(
    ErrorCode.CONFLICT,
    'The selection is empty: mark archived objects for deletion first, then activate.',
  );
}
