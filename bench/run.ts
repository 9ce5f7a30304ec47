import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BenchDatabase, openBenchDatabase } from './bench-database';
import { browseBench } from './browse.bench';
import { eventsBench } from './events.bench';
import { exportBench } from './export.bench';
import { fanoutBench } from './fanout.bench';
import { identityBench } from './identity.bench';
import { LargeDataset } from './large-dataset';
import { markBench } from './mark.bench';
import { overheadBench } from './overhead.bench';
import { peerBench } from './peer.bench';
import { statsBench } from './stats.bench';
import { executorBench } from './executor.bench';
import { executorS3Bench } from './executor-s3.bench';
import { activate1mBench } from './activate-1m.bench';
import { mark1mBench } from './mark-1m.bench';
import { purgeBrowseBench } from './purge-browse.bench';
import { purgeBench, purgeS3Bench } from './purge.bench';
import { receiptsBench } from './receipts.bench';
import { startTimeBench } from './start-time.bench';
import { webhooksBench } from './webhooks.bench';

/**
 * One measured figure and the baseline it is compared with, measured in the same run. The ratio
 * is `ms / baselineMs` (ours per baseline); `goal` states which ratio the issue asks for.
 */
export interface BenchResult {
  name: string;
  /** The measured value: milliseconds unless `unit` says otherwise (req/s, statements, ms CPU…). */
  ms: number;
  baselineName: string;
  baselineMs: number;
  unit?: string;
  goal?: Goal;
}

/**
 * The bound a figure must keep: its ratio (`ms / baselineMs`) at most (times, latency, CPU) or at
 * least (rates); or, where the issue sets an absolute figure (a p99, memory), the value at most.
 */
export type Goal = { atMost: number } | { atLeast: number } | { valueAtMost: number };

/** What every bench may share: the large dataset is seeded once, on first use, and grows additively. */
export interface BenchShared {
  large: LargeDataset;
}

type Bench = (database: BenchDatabase, shared: BenchShared) => Promise<BenchResult[]>;

const BENCHES: Record<string, Bench> = {
  stats: statsBench,
  events: eventsBench,
  fanout: fanoutBench,
  mark: markBench,
  'start-time': startTimeBench,
  executor: executorBench,
  'executor-s3': executorS3Bench,
  browse: browseBench,
  overhead: overheadBench,
  'mark-1m': mark1mBench,
  'activate-1m': activate1mBench,
  purge: purgeBench,
  'purge-s3': purgeS3Bench,
  'purge-browse': purgeBrowseBench,
  export: exportBench,
  identity: identityBench,
  receipts: receiptsBench,
  webhooks: webhooksBench,
  // Last: it adds (and drops) functions in the shared large database.
  peer: peerBench,
};

const RESULTS_DIR = path.join(__dirname, '..', '..', 'bench', 'results');

/**
 * `npm run bench [-- name…]`: each bench gets a fresh database (and may use the shared large one);
 * results are ratios against a baseline measured side by side, because absolute times on shared
 * machines are noise. Each bench writes bench/results/<name>.json; a table of all ends the run.
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in BENCHES));
  if (unknown.length > 0)
    throw new Error(`no such bench: ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  const shared: BenchShared = { large: new LargeDataset() };
  const table: [string, BenchResult][] = [];
  try {
    for (const [name, bench] of Object.entries(BENCHES)) {
      if (wanted.length > 0 && !wanted.includes(name)) continue;
      process.stderr.write(`bench ${name}…\n`);
      const started = Date.now();
      const database = await openBenchDatabase();
      let results: BenchResult[];
      try {
        results = await bench(database, shared);
      } finally {
        await database.close();
      }
      writeResults(name, results, Date.now() - started);
      table.push(...results.map((result): [string, BenchResult] => [name, result]));
    }
  } finally {
    await shared.large.close();
  }
  process.stdout.write(formatTable(table));
}

/** The JSON of one bench, with what makes it comparable: the machine and each ratio against its goal. */
function writeResults(name: string, results: BenchResult[], elapsedMs: number): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const body = {
    bench: name,
    finishedAt: new Date().toISOString(),
    elapsedSeconds: Math.round(elapsedMs / 1000),
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version },
    results: results.map((result) => ({
      ...result,
      unit: result.unit ?? 'ms',
      ratio: ratioOf(result),
      ...(result.goal ? { goal: goalText(result.goal, result.unit ?? 'ms'), met: isMet(result) } : {}),
    })),
  };
  writeFileSync(path.join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(body, null, 2)}\n`);
}

function ratioOf(result: BenchResult): number {
  return result.ms / result.baselineMs;
}

function goalText(goal: Goal, unit: string): string {
  if ('valueAtMost' in goal) return `≤ ${goal.valueAtMost} ${unit}`;
  return 'atMost' in goal ? `≤ ${goal.atMost}×` : `≥ ${goal.atLeast}×`;
}

function isMet(result: BenchResult): boolean | undefined {
  if (!result.goal) return undefined;
  const { goal } = result;
  if ('valueAtMost' in goal) return result.ms <= goal.valueAtMost;
  const ratio = ratioOf(result);
  return 'atMost' in goal ? ratio <= goal.atMost : ratio >= goal.atLeast;
}

function formatTable(rows: [string, BenchResult][]): string {
  const header = ['bench', 'figure', 'value', 'baseline', 'ratio', 'goal', 'met'];
  const lines = rows.map(([bench, result]) => {
    const unit = result.unit ?? 'ms';
    const met = isMet(result);
    return [
      bench,
      result.name,
      `${format(result.ms)} ${unit}`,
      `${result.baselineName}: ${format(result.baselineMs)} ${unit}`,
      `${ratioOf(result).toFixed(2)}×`,
      result.goal ? goalText(result.goal, unit) : '',
      met === undefined ? '' : met ? 'yes' : 'NO',
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i].length)));
  const render = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(' | ')} |\n`;
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('');
}

function format(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
