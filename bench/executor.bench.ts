import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OBJECT_TABLES } from '../src/database/object-tables';
import { FileStore, LocalFileStore } from '../src/domain/files/file-store';
import { createDueDeletion, seedArchivedObjects } from '../test/support/executor-fixtures';
import { BenchDatabase } from './bench-database';
import { benchScheduler } from './purge.bench';
import { BenchResult } from './run';

const PER_TYPE = 2_858; // ≈ 20,000 objects over the seven types
const FILE_EVERY = 10;
const ROUNDS = 2;

/**
 * docs/rules.md, rule 8: bounded chunks keep transactions short; this measures what the bound costs.
 * Executes a ~20k-object deletion (one file per tenth object) with chunks of 1,000 and, as the
 * baseline, of 100, alternating in the same run; each figure is the best of ROUNDS.
 */
export async function executorBench({ db }: BenchDatabase): Promise<BenchResult[]> {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-files-'));
  const files = new LocalFileStore(folder);
  try {
    const best = new Map<number, number>();
    let objects = 0;
    for (let round = 0; round < ROUNDS; round++) {
      for (const chunkSize of [1_000, 100]) {
        const { ms, count } = await executeOnce(db, files, chunkSize, `${chunkSize}-${round}`);
        objects = count;
        best.set(chunkSize, Math.min(best.get(chunkSize) ?? Infinity, ms));
      }
    }
    const rate = (ms: number) => Math.round(objects / (ms / 1000)).toLocaleString('en');
    const [big, small] = [best.get(1_000)!, best.get(100)!];
    return [
      {
        name: `execute ${objects} objects, chunks of 1000 (${rate(big)} objects/s)`,
        ms: big,
        baselineName: `chunks of 100 (${rate(small)} objects/s)`,
        baselineMs: small,
      },
    ];
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Seeds a ~20k-object deletion with its files in `files` and executes it; the execution's time. */
export async function executeOnce(
  db: BenchDatabase['db'],
  files: FileStore,
  chunkSize: number,
  /** Tells this run's bench user apart from the others' (emails are unique). */
  label: string,
): Promise<{ ms: number; count: number }> {
  const workspace = await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`);
  const user = await db.one<{ id: string }>(
    `INSERT INTO users (workspace_id, name, email, role) VALUES ($1, 'bench', $2, 'ADMIN') RETURNING id`,
    [workspace!.id, `bench-${label}@bench.test`],
  );
  const refs = await seedArchivedObjects(db, files, {
    workspaceId: workspace!.id,
    userId: user!.id,
    perType: PER_TYPE,
    fileEvery: FILE_EVERY,
    fileBytes: 256,
  });
  await createDueDeletion(db, workspace!.id, user!.id, refs, new Date(Date.now() - 1_000));
  await db.rows(`ANALYZE ${OBJECT_TABLES.map((t) => t.table).join(', ')}, attachments`);
  const scheduler = benchScheduler(db, files, chunkSize);
  const start = process.hrtime.bigint();
  const results = await scheduler.tick(new Date());
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (results.length !== 1 || results[0].outcome !== 'COMPLETED')
    throw new Error(`unexpected: ${JSON.stringify(results)}`);
  return { ms, count: refs.length };
}
