import { OBJECT_TABLES } from '../../database/object-tables';
import { sqlLiterals } from '../../database/sql';
import { inBatchSql } from '../deletion/batch-membership';
import { ACTIVE_DELETION_STATUSES } from '../deletion/deletion-status';
import type { VerifyCheck } from './verify-check';

/**
 * Every pending or executing deletion's figures still to do (per type, frozen less what restores,
 * holds and the executor took) equal a recount of its batch: activation takes them from the
 * counters and cancel gives them back, so a drift here would reach the selection's counters too.
 * A full recount (a command, not a request), one statement per table.
 */
export const batchVolumesMatchRecount: VerifyCheck = {
  name: 'each active deletion’s figures left equal a recount of its batch',
  async run({ db }) {
    const problems: string[] = [];
    for (const { table, type } of OBJECT_TABLES) {
      const rows = await db.rows<{ id: string; stored: number; actual: number; storedBytes: number; bytes: number }>(
        `SELECT d.id, coalesce(v.count - v.done_count, 0)::float8 AS stored, r.n::float8 AS actual,
           coalesce(v.bytes - v.done_bytes, 0)::float8 AS "storedBytes", r.b::float8 AS bytes
         FROM deletions d
         LEFT JOIN deletion_type_volumes v ON v.deletion_id = d.id AND v.object_type = $1
         CROSS JOIN LATERAL (SELECT count(*) AS n, coalesce(sum(attachment_bytes), 0) AS b FROM ${table} o
                             WHERE o.workspace_id = d.workspace_id AND ${inBatchSql('d.generation', 'o')}) r
         WHERE d.status IN (${sqlLiterals(ACTIVE_DELETION_STATUSES)})
           AND (coalesce(v.count - v.done_count, 0) <> r.n OR coalesce(v.bytes - v.done_bytes, 0) <> r.b)`,
        [type],
      );
      for (const row of rows) {
        problems.push(
          `deletion ${row.id} ${type}: ${row.stored} objects / ${row.storedBytes} bytes left, batch holds ${row.actual} / ${row.bytes}`,
        );
      }
    }
    return problems;
  },
};
