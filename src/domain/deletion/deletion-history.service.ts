import { Database } from '../../database/database';
import { SqlParams } from '../../database/sql';
import { DELETION_COLUMNS, DeletionRow } from './deletion-row';
import { DeletionStatus } from './deletion-status';
import { KeysetPage, readTimeIdPage, TimeIdKey } from '../../database/keyset';
import { UserRow } from '../domain-types';
import { viewerGuard } from '../identity/viewer-guard';
import { Operation, requireMayAttempt } from '../policy';

/**
 * Every deletion ever activated in a workspace, newest activated first, by keyset on the
 * `deletions_history` index. A deletion row holds ids, times and figures only: no personal data.
 */
export class DeletionHistoryService {
  constructor(private readonly db: Database) {}

  /**
   * A page of the user's workspace's history (`limit + 1` rows), optionally only some statuses, and
   * the total; admins only, checked again in the page's statement (viewer-guard.ts).
   */
  page(
    user: UserRow,
    limit: number,
    after: TimeIdKey | null,
    statuses: readonly DeletionStatus[] | null,
  ): Promise<KeysetPage<DeletionRow>> {
    requireMayAttempt(user, Operation.VIEW_HISTORY);
    const params = new SqlParams();
    const conditions = [`workspace_id = ${params.add(user.workspaceId)}`];
    if (statuses && statuses.length > 0) conditions.push(`status = ANY(${params.add(statuses)}::text[])`);
    // A workspace has a handful of deletions a year: counting them is cheap, unlike counting objects.
    return readTimeIdPage<DeletionRow>(
      this.db,
      {
        table: 'deletions',
        columns: DELETION_COLUMNS,
        timeColumn: 'activated_at',
        filter: { conditions, params },
        guard: (pageParams) => viewerGuard(user, pageParams),
      },
      limit,
      after,
    );
  }
}
