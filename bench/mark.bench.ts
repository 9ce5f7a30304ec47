import { ObjectType } from '../src/database/object-tables';
import { Role, UserRow } from '../src/domain/domain-types';
import { systemClock } from '../src/domain/clock';
import { MAX_BATCH_REFS } from '../src/domain/archive/object-rows';
import { SelectionService } from '../src/domain/deletion/selection.service';
import { BenchDatabase } from './bench-database';
import { BenchResult } from './run';

const OBJECTS = 100_000;
const RUNS = 3;

/**
 * docs/rules.md, rule 3: marking by filter is one set-based UPDATE per table. Baseline: the same
 * 100k objects marked by refs in batches of 1000, the most a client may send per call.
 */
export async function markBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const workspace = await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`);
  const admin = await db.one<{ id: string }>(
    `INSERT INTO users (workspace_id, name, email, role) VALUES ($1, 'bench', 'bench-mark@bench.test', 'ADMIN') RETURNING id`,
    [workspace!.id],
  );
  const ids = await db.rows<{ id: string }>(
    `INSERT INTO contacts (workspace_id, title, created_by, attachment_bytes, archived_at, archived_by)
     SELECT $1, 'bench ' || n, $2, n % 5000, now() - n * interval '1 second', $2 FROM generate_series(1, $3) n
     RETURNING id`,
    [workspace!.id, admin!.id, OBJECTS],
  );
  await db.rows('ANALYZE');
  const user: UserRow = { id: admin!.id, workspaceId: workspace!.id, name: 'bench', email: 'b', role: Role.ADMIN };
  const selection = new SelectionService(db, systemClock);
  const refs = ids.map(({ id }) => ({ type: ObjectType.CONTACT, id }));
  const reset = () =>
    db.rows('UPDATE contacts SET marked_at = NULL, marked_by = NULL WHERE workspace_id = $1', [workspace!.id]);

  const time = async (work: () => Promise<unknown>): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await reset();
      const start = process.hrtime.bigint();
      await work();
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)];
  };
  const byFilter = await time(async () => {
    const { changed } = await selection.mark(user, { filter: { type: ObjectType.CONTACT } });
    if (changed !== OBJECTS) throw new Error(`filter marked ${changed} of ${OBJECTS}`);
  });
  const byRefs = await time(async () => {
    let changed = 0;
    for (let i = 0; i < refs.length; i += MAX_BATCH_REFS)
      changed += (await selection.mark(user, { refs: refs.slice(i, i + MAX_BATCH_REFS) })).changed;
    if (changed !== OBJECTS) throw new Error(`refs marked ${changed} of ${OBJECTS}`);
  });
  return [
    {
      name: `mark ${OBJECTS} archived objects by filter (median of ${RUNS})`,
      ms: byFilter,
      baselineName: `by refs in ${OBJECTS / MAX_BATCH_REFS} calls of ${MAX_BATCH_REFS}`,
      baselineMs: byRefs,
    },
  ];
}
