import 'reflect-metadata';
import { BenchDatabase, openBenchDatabase } from './bench-database';
import { eventsBench } from './events.bench';
import { fanoutBench } from './fanout.bench';
import { markBench } from './mark.bench';
import { statsBench } from './stats.bench';
import { executorBench } from './executor.bench';
import { activate1mBench } from './activate-1m.bench';
import { mark1mBench } from './mark-1m.bench';
import { purgeBrowseBench } from './purge-browse.bench';
import { purgeBench } from './purge.bench';

/** One measured figure and the baseline it is compared with, measured in the same run. */
export interface BenchResult {
  name: string;
  ms: number;
  baselineName: string;
  baselineMs: number;
}

type Bench = (database: BenchDatabase) => Promise<BenchResult[]>;

const BENCHES: Record<string, Bench> = {
  stats: statsBench,
  events: eventsBench,
  fanout: fanoutBench,
  mark: markBench,
  executor: executorBench,
  'mark-1m': mark1mBench,
  'activate-1m': activate1mBench,
  purge: purgeBench,
  'purge-browse': purgeBrowseBench,
};

/**
 * `npm run bench [-- name…]`: each bench gets a fresh database; results are reported as ratios
 * against a baseline measured side by side, because absolute times on shared machines are noise.
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const rows: BenchResult[] = [];
  for (const [name, bench] of Object.entries(BENCHES)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const database = await openBenchDatabase();
    try {
      rows.push(...(await bench(database)));
    } finally {
      await database.close();
    }
  }
  for (const row of rows) {
    const ratio = row.baselineMs / row.ms;
    process.stdout.write(
      `${row.name}: ${row.ms.toFixed(2)} ms vs ${row.baselineName} ${row.baselineMs.toFixed(2)} ms → ${ratio.toFixed(1)}× faster\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
