import { Database } from '../../database/database';
import { OBJECT_TABLES, OBJECT_TYPES, ObjectType } from '../../database/object-tables';
import { activeDeletionJoinSql, outsideBatchSql } from '../deletion/batch-membership';

/** How many objects, and how many attachment bytes they carry. */
interface VolumeFigure {
  count: number;
  bytes: number;
}

/** The figures of one type in one workspace: all objects, the archived ones, and the selection (marked, not pending). */
export interface TypeFigures {
  type: ObjectType;
  all: VolumeFigure;
  archived: VolumeFigure;
  marked: VolumeFigure;
  /** Objects under at least one active legal hold. */
  held: VolumeFigure;
}

/** One counter that differs from the recount. */
export interface Drift {
  workspaceId: string;
  type: ObjectType;
  counter: string;
  stored: number;
  actual: number;
}

const COUNTERS = [
  'all_count',
  'all_bytes',
  'archived_count',
  'archived_bytes',
  'marked_count',
  'marked_bytes',
  'held_count',
  'held_bytes',
] as const;
type CounterRow = { workspaceId: string; type: ObjectType } & Record<(typeof COUNTERS)[number], number>;

const SELECT_COUNTERS = COUNTERS.map((c) => `${c}::float8 AS ${c}`).join(', ');

/** Reads the per-type counters kept by triggers (O(1), docs/lists.md) and recounts them for `verify`. */
export class StatsService {
  constructor(private readonly db: Database) {}

  /** The seven types' figures of a workspace, zeros where nothing was ever counted. */
  async overview(workspaceId: string): Promise<TypeFigures[]> {
    const rows = await this.db.rows<CounterRow>(
      `SELECT object_type AS type, ${SELECT_COUNTERS} FROM type_stats WHERE workspace_id = $1`,
      [workspaceId],
    );
    const byType = new Map(rows.map((row) => [row.type, row]));
    return OBJECT_TYPES.map((type) => {
      const row = byType.get(type);
      return {
        type,
        all: { count: row?.all_count ?? 0, bytes: row?.all_bytes ?? 0 },
        archived: { count: row?.archived_count ?? 0, bytes: row?.archived_bytes ?? 0 },
        marked: { count: row?.marked_count ?? 0, bytes: row?.marked_bytes ?? 0 },
        held: { count: row?.held_count ?? 0, bytes: row?.held_bytes ?? 0 },
      };
    });
  }

  /** Recomputes every workspace/type figure from the object tables and lists the counters that differ. */
  async recount(): Promise<Drift[]> {
    const actual = await this.db.rows<CounterRow>(
      OBJECT_TABLES.map(
        ({ table, type }) => `
        SELECT o.workspace_id AS "workspaceId", '${type}' AS type,
          count(*)::float8 AS all_count, coalesce(sum(attachment_bytes), 0)::float8 AS all_bytes,
          (count(*) FILTER (WHERE archived_at IS NOT NULL))::float8 AS archived_count,
          coalesce(sum(attachment_bytes) FILTER (WHERE archived_at IS NOT NULL), 0)::float8 AS archived_bytes,
          (count(*) FILTER (WHERE ${outsideBatchSql('a.generation', 'o')}))::float8 AS marked_count,
          coalesce(sum(attachment_bytes) FILTER (WHERE ${outsideBatchSql('a.generation', 'o')}), 0)::float8
            AS marked_bytes,
          (count(*) FILTER (WHERE held_count > 0))::float8 AS held_count,
          coalesce(sum(attachment_bytes) FILTER (WHERE held_count > 0), 0)::float8 AS held_bytes
        FROM ${table} o ${activeDeletionJoinSql('o', 'a')} GROUP BY o.workspace_id`,
      ).join(' UNION ALL '),
    );
    const stored = await this.db.rows<CounterRow>(
      `SELECT workspace_id AS "workspaceId", object_type AS type, ${SELECT_COUNTERS} FROM type_stats`,
    );
    const key = (row: CounterRow) => `${row.workspaceId}/${row.type}`;
    const storedByKey = new Map(stored.map((row) => [key(row), row]));
    const actualByKey = new Map(actual.map((row) => [key(row), row]));
    const drift: Drift[] = [];
    for (const k of new Set([...storedByKey.keys(), ...actualByKey.keys()])) {
      const s = storedByKey.get(k);
      const a = actualByKey.get(k);
      const { workspaceId, type } = (s ?? a)!;
      for (const counter of COUNTERS) {
        const storedValue = s?.[counter] ?? 0;
        const actualValue = a?.[counter] ?? 0;
        if (storedValue !== actualValue)
          drift.push({ workspaceId, type, counter, stored: storedValue, actual: actualValue });
      }
    }
    return drift;
  }

  /** Objects whose attachment_bytes is not the sum of their attachment rows. */
  async attachmentBytesDrift(): Promise<{ type: ObjectType; id: string; stored: number; actual: number }[]> {
    return this.db.rows(
      OBJECT_TABLES.map(
        ({ table, type }) => `
        SELECT '${type}' AS type, o.id, o.attachment_bytes::float8 AS stored, coalesce(a.sum, 0)::float8 AS actual
        FROM ${table} o LEFT JOIN (SELECT object_id, sum(size_bytes) AS sum FROM attachments
          WHERE object_type = '${type}' GROUP BY object_id) a ON a.object_id = o.id
        WHERE o.attachment_bytes <> coalesce(a.sum, 0)`,
      ).join(' UNION ALL '),
    );
  }
}
