import { Database } from '../database/database';
import { AppError, ErrorCode } from '../errors';
import { UserRow } from './domain-types';
import { isUuid } from './object-rows';

/** One persistent notification of one user. */
export interface NotificationRow {
  id: string;
  userId: string;
  workspaceId: string;
  kind: string;
  deletionId: string | null;
  createdAt: Date;
  readAt: Date | null;
}

/** Position after which a page starts: created_at in microseconds since the epoch, and id. */
export type InboxKey = [string, string];

/** A user's own notifications: read newest first, and mark read. Nobody sees anyone else's. */
export class NotificationInboxService {
  constructor(private readonly db: Database) {}

  /** One page (`limit + 1` rows, so the caller knows whether more follow) and the total. */
  async page(user: UserRow, unreadOnly: boolean, limit: number, after: InboxKey | null) {
    const where = ['user_id = $1'];
    const params: unknown[] = [user.id];
    if (unreadOnly) where.push('read_at IS NULL');
    const countWhere = where.join(' AND ');
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(created_at, id) < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.db.rows<NotificationRow & { micros: string }>(
      `SELECT id, user_id AS "userId", workspace_id AS "workspaceId", kind, deletion_id AS "deletionId",
         created_at AS "createdAt", read_at AS "readAt",
         (extract(epoch FROM created_at) * 1000000)::bigint::text AS micros
       FROM notifications WHERE ${where.join(' AND ')}
       ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const count = await this.db.one<{ n: number }>(`SELECT count(*)::int AS n FROM notifications WHERE ${countWhere}`, [
      user.id,
    ]);
    return {
      rows: rows.map(({ micros, ...row }) => ({ ...row, cursorKey: [micros, row.id] as InboxKey })),
      totalCount: count!.n,
    };
  }

  /**
   * Marks the caller's notifications read and returns how many became read. All or nothing: an id
   * that is not one of the caller's notifications refuses the whole call with NOT_FOUND.
   */
  async markRead(user: UserRow, ids: readonly string[]): Promise<number> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    return this.db.transaction(async (tx) => {
      const own = await tx.rows<{ id: string }>(
        'SELECT id FROM notifications WHERE user_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE',
        [user.id, unique.filter(isUuid)],
      );
      const found = new Set(own.map((row) => row.id));
      const missing = unique.filter((id) => !found.has(id));
      if (missing.length > 0) {
        throw new AppError(
          ErrorCode.NOT_FOUND,
          `No such notification of yours: ${missing.join(', ')}. Nothing was changed.`,
          {
            ids: missing,
          },
        );
      }
      const updated = await tx.rows(
        'UPDATE notifications SET read_at = now() WHERE user_id = $1 AND id = ANY($2::uuid[]) AND read_at IS NULL RETURNING id',
        [user.id, unique],
      );
      return updated.length;
    });
  }
}
