import { Database } from '../src/database/database';
import { BenchDatabase } from './bench-database';
import { BENCH_JWT_SECRET } from './compare-servers';
import { BenchResult } from './run';
import { beforeServerEntry, ourServerEntry, startServerProcess } from './server-process';

/** Starts per build (after one cold start each, which migrates its database). */
const ROUNDS = Number(process.env.START_BENCH_ROUNDS ?? 7);

/**
 * Issue 25, goal 5: start time, to the URL printed, on a migrated database. Ours against the
 * BENCH_BEFORE build (each on a database of its own, since their migrations differ), alternating
 * the order every round, median of each; without BENCH_BEFORE, against our own cold start (every
 * migration on an empty database).
 */
export async function startTimeBench({ db, url }: BenchDatabase): Promise<BenchResult[]> {
  const before = beforeServerEntry();
  const builds = [{ name: 'ours', entry: ourServerEntry(), url: await databaseBeside(db, url, 'ours') }];
  if (before)
    builds.push({ name: 'before (BENCH_BEFORE)', entry: before, url: await databaseBeside(db, url, 'before') });
  try {
    return await measureStarts(builds, Boolean(before));
  } finally {
    for (const build of builds) await db.rows(`DROP DATABASE IF EXISTS ${new URL(build.url).pathname.slice(1)}`);
  }
}

/** One cold start per build, then ROUNDS warm ones alternating; ours against the other build, or its own cold start. */
async function measureStarts(builds: { name: string; entry: string; url: string }[], before: boolean) {
  const times = new Map<string, number[]>(builds.map((build) => [build.name, []]));
  const cold = [];
  for (const build of builds) cold.push(await timeStart(build.entry, build.url)); // every migration
  for (let round = 0; round < ROUNDS; round++) {
    for (const build of round % 2 ? [...builds].reverse() : builds)
      times.get(build.name)!.push(await timeStart(build.entry, build.url));
  }
  process.stderr.write(
    `  cold ${cold.map(Math.round).join(', ')} ms; warm ${JSON.stringify(Object.fromEntries(times))}\n`,
  );
  const ours = median(times.get('ours')!);
  const name = `start to serving, migrated database, median of ${ROUNDS}`;
  if (!before) return [{ name, ms: ours, baselineName: 'our cold start (every migration)', baselineMs: cold[0] }];
  const baselineMs = median(times.get(builds[1].name)!);
  return [{ name, ms: ours, baselineName: builds[1].name, baselineMs, goal: { atMost: 1.1 } }];
}

/** Milliseconds from spawning `entry` until it prints its GraphQL URL. */
async function timeStart(entry: string, databaseUrl: string): Promise<number> {
  const started = performance.now();
  const env = { DATABASE_URL: databaseUrl, JWT_SECRET: BENCH_JWT_SECRET, PORT: '0', NODE_ENV: 'production' };
  const server = await startServerProcess('server', entry, env);
  const ms = performance.now() - started;
  await server.stop();
  return ms;
}

/** A fresh database on the same server as `url`, named after the build. */
async function databaseBeside(db: Database, url: string, suffix: string): Promise<string> {
  const name = `${new URL(url).pathname.slice(1)}_start_${suffix}`;
  await db.rows(`DROP DATABASE IF EXISTS ${name}`);
  await db.rows(`CREATE DATABASE ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
