import { Database } from '../database/database';
import { DELETION_COLUMNS, DeletionRow } from './deletion-row';
import { DeletionStatus } from './deletion-status';

/** Position after which a page starts: an instant in microseconds since the epoch (exact), and an id. */
export type HistoryKey = [string, string];

/** One page of `limit + 1` rows (the extra one tells that more follow) and the total. */
export interface HistoryPage {
  rows: (DeletionRow & { cursorKey: HistoryKey })[];
  totalCount: number;
}

/**
 * Every deletion ever activated in a workspace, newest activated first, by keyset on the
 * `deletions_history` index. A deletion row holds ids, times and figures only: no personal data.
 */
export class DeletionHistoryService {
  constructor(private readonly db: Database) {}

  /** A page of the history, optionally only some statuses. */
  async page(
    workspaceId: string,
    limit: number,
    after: HistoryKey | null,
    statuses: readonly DeletionStatus[] | null,
  ): Promise<HistoryPage> {
    const where = ['workspace_id = $1'];
    const params: unknown[] = [workspaceId];
    if (statuses && statuses.length > 0) {
      params.push(statuses);
      where.push(`status = ANY($${params.length}::text[])`);
    }
    const countWhere = where.join(' AND ');
    const countParams = [...params];
    if (after) {
      params.push(after[0], after[1]);
      where.push(
        `(activated_at, id) < ('epoch'::timestamptz + $${params.length - 1}::bigint * interval '1 microsecond', $${params.length}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows = await this.db.rows<DeletionRow & { micros: string }>(
      `SELECT ${DELETION_COLUMNS}, (extract(epoch FROM activated_at) * 1000000)::bigint::text AS micros
       FROM deletions WHERE ${where.join(' AND ')}
       ORDER BY activated_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    // A workspace has a handful of deletions a year: counting them is cheap, unlike counting objects.
    const count = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n FROM deletions WHERE ${countWhere}`,
      countParams,
    );
    return {
      rows: rows.map(({ micros, ...row }) => ({ ...row, cursorKey: [micros, row.id] as HistoryKey })),
      totalCount: count!.n,
    };
  }
}
