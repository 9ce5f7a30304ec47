import { Database } from '../../database/database';
import { SqlParams } from '../../database/sql';
import { AppError, ErrorCode } from '../../errors';
import { UserRow } from '../domain-types';
import { notificationRecipient } from '../policy';
import { KeysetPage, readTimeIdPage, TimeIdKey } from '../../database/keyset';
import { isUuid } from '../uuid';
import { viewerGuard } from '../identity/viewer-guard';

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

const NOTIFICATION_COLUMNS = `id, user_id AS "userId", workspace_id AS "workspaceId", kind, deletion_id AS "deletionId",
  created_at AS "createdAt", read_at AS "readAt"`;

/** A user's own notifications: read newest first, and mark read. Nobody sees anyone else's. */
export class NotificationInboxService {
  constructor(private readonly db: Database) {}

  /** One page (`limit + 1` rows, so the caller knows whether more follow) and the total. */
  page(
    user: UserRow,
    unreadOnly: boolean,
    limit: number,
    after: TimeIdKey | null,
  ): Promise<KeysetPage<NotificationRow>> {
    const params = new SqlParams();
    const conditions = [`user_id = ${params.add(notificationRecipient(user))}`];
    if (unreadOnly) conditions.push('read_at IS NULL');
    return readTimeIdPage<NotificationRow>(
      this.db,
      {
        table: 'notifications',
        columns: NOTIFICATION_COLUMNS,
        timeColumn: 'created_at',
        filter: { conditions, params },
        guard: (pageParams) => viewerGuard(user, pageParams),
      },
      limit,
      after,
    );
  }

  /**
   * Marks the caller's notifications read and returns how many became read. All or nothing: an id
   * that is not one of the caller's notifications refuses the whole call with NOT_FOUND.
   */
  async markRead(user: UserRow, ids: readonly string[]): Promise<number> {
    const unique = [...new Set(ids.map((id) => id.toLowerCase()))];
    const recipient = notificationRecipient(user);
    return this.db.transaction(async (tx) => {
      const own = await tx.rows<{ id: string }>(
        'SELECT id FROM notifications WHERE user_id = $1 AND id = ANY($2::uuid[]) FOR UPDATE',
        [recipient, unique.filter(isUuid)],
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
        [recipient, unique],
      );
      return updated.length;
    });
  }
}
