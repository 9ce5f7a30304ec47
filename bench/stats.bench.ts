import { OBJECT_TABLES } from '../src/database/object-tables';
import { BenchDatabase, medianMs } from './bench-database';
import { BenchResult } from './run';

const OBJECTS_PER_TYPE = 30_000;

/**
 * docs/lists.md: the overview reads counters kept by triggers, never count(*) over the object tables.
 * Baseline: the same figures recounted from the base tables, side by side on the same data.
 */
export async function statsBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const workspace = await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`);
  const user = await db.one<{ id: string }>(
    `INSERT INTO users (workspace_id, name, email, role) VALUES ($1, 'bench', 'bench@bench.test', 'ADMIN') RETURNING id`,
    [workspace!.id],
  );
  for (const { table } of OBJECT_TABLES) {
    await db.rows(
      `INSERT INTO ${table} (workspace_id, title, created_by, attachment_bytes, archived_at)
       SELECT $1, 'bench ' || n, $2, n % 5000, CASE WHEN n % 3 = 0 THEN now() END FROM generate_series(1, $3) n`,
      [workspace!.id, user!.id, OBJECTS_PER_TYPE],
    );
  }
  await db.rows('ANALYZE');
  const counters = () => db.rows('SELECT * FROM type_stats WHERE workspace_id = $1', [workspace!.id]);
  const recount = () =>
    db.rows(
      OBJECT_TABLES.map(
        ({ table, type }) =>
          `SELECT '${type}' AS type, count(*), sum(attachment_bytes),
             count(*) FILTER (WHERE archived_at IS NOT NULL), sum(attachment_bytes) FILTER (WHERE archived_at IS NOT NULL)
           FROM ${table} WHERE workspace_id = $1`,
      ).join(' UNION ALL '),
      [workspace!.id],
    );
  const counted = await medianMs(15, counters);
  const baseline = await medianMs(15, recount);
  return [
    {
      name: `overview figures, ${OBJECT_TABLES.length}×${OBJECTS_PER_TYPE} objects`,
      ms: counted,
      baselineName: 'count(*) recount',
      baselineMs: baseline,
    },
  ];
}
