import { Config } from '../../config';
import { Database, Sql } from '../../database/database';
import { OBJECT_TABLES } from '../../database/object-tables';
import { AppError, ErrorCode } from '../../errors';
import { requireAdmin, refuseWhileActive } from '../policy';
import { activeDeletion, DELETION_COLUMNS, DeletionRow, DeletionVolumeRow } from './deletion-row';
import { UserRow } from '../domain-types';
import { Clock } from '../clock';
import { DeletionEventType, publishDeletionEvent } from './deletion-events';
import { DeletionStatus, statusTransition } from './deletion-status';
import { NotificationKind, NotificationService } from '../notifications/notification.service';
import { isUuid } from '../uuid';
import { lockWorkspace } from './workspace-lock';
import { enqueueWebhookEvent } from '../webhooks/webhook-events';

/**
 * Puts a deletion's remaining objects back into the selection, still marked (cancel, or a run
 * given up as FAILED), so admins can add more and activate again; the triggers move the counters.
 */
export async function returnToSelection(tx: Sql, deletionId: string): Promise<void> {
  for (const { table } of OBJECT_TABLES) {
    await tx.rows(`UPDATE ${table} SET deletion_id = NULL WHERE deletion_id = $1`, [deletionId]);
  }
}

const UNIQUE_VIOLATION = '23505';

/** Cancel wins over the executor's claim only while the deletion is PENDING (rule 9). */
const CANCEL = statusTransition([DeletionStatus.PENDING], DeletionStatus.CANCELLED);

/**
 * Activation and cancellation of permanent deletions (docs/rules.md, rules 5–7, 10). Each change,
 * its notifications and its event (NOTIFY) commit together or not at all.
 */
export class DeletionService {
  constructor(
    private readonly db: Database,
    private readonly config: Config,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
  ) {}

  /** Turns the workspace's selection into a PENDING deletion that executes after the grace period. */
  async activate(user: UserRow): Promise<DeletionRow> {
    requireAdmin(user, 'activate a deletion');
    try {
      return await this.db.transaction(async (tx) => {
        await lockWorkspace(tx, user.workspaceId);
        await refuseWhileActive(tx, user.workspaceId, 'activate another deletion');
        await refuseEmptySelection(tx, user.workspaceId);
        const now = this.clock.now();
        const deletion = await tx.one<DeletionRow>(
          `INSERT INTO deletions (workspace_id, status, activated_at, activated_by, execute_after)
           VALUES ($1, $2, $3, $4, $5) RETURNING ${DELETION_COLUMNS}`,
          [
            user.workspaceId,
            DeletionStatus.PENDING,
            now,
            user.id,
            new Date(now.getTime() + this.config.deletionGracePeriodMs),
          ],
        );
        await freezeSelection(tx, user.workspaceId, deletion!.id);
        await this.notifications.notifyAdmins(
          tx,
          user.workspaceId,
          NotificationKind.DELETION_ACTIVATED,
          deletion!.id,
          now,
        );
        const event = {
          type: DeletionEventType.ACTIVATED,
          workspaceId: user.workspaceId,
          deletionId: deletion!.id,
          actorId: user.id,
          occurredAt: now.toISOString(),
        };
        await publishDeletionEvent(tx, event);
        await enqueueWebhookEvent(tx, event);
        return deletion!;
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
   * Cancels a PENDING deletion; its objects return to the selection, still marked. The conditional
   * UPDATE is the race guard against the executor, which claims only a PENDING (or EXECUTING) row.
   */
  async cancel(user: UserRow, id: string): Promise<DeletionRow> {
    requireAdmin(user, 'cancel a deletion');
    if (!isUuid(id)) throw deletionNotFound(id);
    return this.db.transaction(async (tx) => {
      const now = this.clock.now();
      const deletion = await tx.one<DeletionRow>(
        `UPDATE deletions SET status = $3, cancelled_at = $4, cancelled_by = $5
         WHERE id = $1 AND workspace_id = $2 AND status = ANY($6::text[]) RETURNING ${DELETION_COLUMNS}`,
        [id, user.workspaceId, CANCEL.to, now, user.id, CANCEL.from],
      );
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
      await returnToSelection(tx, id);
      await this.notifications.notifyAdmins(tx, user.workspaceId, NotificationKind.DELETION_CANCELLED, id, now);
      const event = {
        type: DeletionEventType.CANCELLED,
        workspaceId: user.workspaceId,
        deletionId: id,
        actorId: user.id,
        occurredAt: now.toISOString(),
      };
      await publishDeletionEvent(tx, event);
      await enqueueWebhookEvent(tx, event);
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
export function deletionNotFound(id: string): AppError {
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

/**
 * Freezes the selection into the deletion: per table one UPDATE that also writes the type's
 * count and bytes from the very rows it changed, so the figures cannot drift from the set.
 */
async function freezeSelection(tx: Sql, workspaceId: string, deletionId: string): Promise<void> {
  for (const { table, type } of OBJECT_TABLES) {
    await tx.rows(
      `WITH u AS (UPDATE ${table} SET deletion_id = $2
                  WHERE workspace_id = $1 AND marked_at IS NOT NULL AND deletion_id IS NULL
                  RETURNING attachment_bytes)
       INSERT INTO deletion_type_volumes (deletion_id, object_type, count, bytes)
       SELECT $2, $3, count(*), coalesce(sum(attachment_bytes), 0) FROM u HAVING count(*) > 0`,
      [workspaceId, deletionId, type],
    );
  }
}
