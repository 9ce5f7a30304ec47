import { Sql } from '../../database/database';

/** One legal hold as stored: ids, times, a reason and a count; nothing of the objects it covers. */
export interface LegalHoldRow {
  id: string;
  workspaceId: string;
  reason: string;
  placedById: string;
  placedAt: Date;
  releasedById: string | null;
  releasedAt: Date | null;
  /** How many objects the hold covered when it was placed (kept after release, for the history). */
  objectCount: number;
}

/** The SELECT list that reads a `legal_holds` row as a LegalHoldRow. */
export const LEGAL_HOLD_COLUMNS = `id, workspace_id AS "workspaceId", reason, placed_by AS "placedById",
  placed_at AS "placedAt", released_by AS "releasedById", released_at AS "releasedAt", object_count AS "objectCount"`;

/** Most characters a hold's reason may have (the table's CHECK says the same). */
export const MAX_REASON_LENGTH = 1000;

/** The active holds that cover some objects of one type (primary key lookups through `legal_hold_objects_object`). */
export function holdsCovering(
  sql: Sql,
  workspaceId: string,
  type: string,
  ids: readonly string[],
): Promise<{ objectId: string; holdId: string; reason: string }[]> {
  return sql.rows(
    `SELECT m.object_id AS "objectId", h.id AS "holdId", h.reason
     FROM legal_hold_objects m JOIN legal_holds h ON h.id = m.hold_id
     WHERE m.workspace_id = $1 AND m.object_type = $2 AND m.object_id = ANY($3::uuid[])
     ORDER BY h.placed_at, h.id`,
    [workspaceId, type, ids],
  );
}
