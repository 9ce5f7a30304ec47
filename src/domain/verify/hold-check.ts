import { OBJECT_TABLES } from '../../database/object-tables';
import type { VerifyCheck } from './verify-check';

/**
 * Every object's `held_count` equals the number of active holds whose membership names it, and no
 * released hold keeps members: a full recount (a command, not a request), one statement per table.
 */
export const heldCountsMatchHolds: VerifyCheck = {
  name: 'each object’s held_count equals the active legal holds that cover it',
  async run({ db }) {
    const problems: string[] = [];
    for (const { table, type } of OBJECT_TABLES) {
      const rows = await db.rows<{ id: string; stored: number; actual: number }>(
        `SELECT coalesce(o.id, m.object_id) AS id, coalesce(o.held_count, 0) AS stored, coalesce(m.n, 0)::int AS actual
         FROM (SELECT id, held_count FROM ${table} WHERE held_count <> 0) o
         FULL JOIN (SELECT object_id, count(*) AS n FROM legal_hold_objects WHERE object_type = $1 GROUP BY object_id) m
           ON m.object_id = o.id
         WHERE coalesce(o.held_count, 0) <> coalesce(m.n, 0)`,
        [type],
      );
      for (const row of rows) problems.push(`${type} ${row.id}: held_count ${row.stored}, active holds ${row.actual}`);
    }
    const released = await db.rows<{ id: string }>(
      `SELECT DISTINCT h.id FROM legal_holds h JOIN legal_hold_objects m ON m.hold_id = h.id
       WHERE h.released_at IS NOT NULL`,
    );
    for (const { id } of released) problems.push(`legal hold ${id} is released but still names objects`);
    return problems;
  },
};
