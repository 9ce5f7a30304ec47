import { AuthService } from '../src/domain/identity/auth.service';
import { BenchDatabase } from './bench-database';
import { BENCH_JWT_SECRET, BROWSE_QUERY, compareUnderLoad, startServer } from './compare-servers';
import { ServerProcess } from './server-process';
import { BenchResult, BenchShared } from './run';

const LOAD = { rounds: 7, clients: 20, ms: 3_000, together: true };

/**
 * Goal 2: server CPU per page, ours (Apollo, type-graphql, loaders, logging, metrics) against the
 * minimal graphql-js server running the same SQL, each under its own 20 clients, all servers in
 * the same seconds (rounds of 3 s); the CPU time of each server process is read from /proc.
 */
export async function overheadBench(_fresh: BenchDatabase, { large }: BenchShared): Promise<BenchResult[]> {
  const data = await large.atLeast(30_000);
  const token = new AuthService(data.db, BENCH_JWT_SECRET).sign(large.small!.adminId);
  const started: ServerProcess[] = [];
  try {
    for (const kind of ['ours', 'minimal', 'before'] as const) {
      const server = await startServer(kind, data.url);
      if (server) started.push(server);
    }
    const [oursServer, minimalServer, beforeServer] = started;
    const load = await compareUnderLoad(
      started,
      (server) => ({ url: server.url, token, query: BROWSE_QUERY, variables: { type: 'DEAL', first: 50 } }),
      LOAD,
    );
    const ours = load.get(oursServer)!;
    const minimal = load.get(minimalServer)!;
    const before = beforeServer && load.get(beforeServer)!;
    const figure = (name: string, ms: number): BenchResult => ({
      name,
      ms,
      unit: 'ms CPU',
      baselineName: 'minimal graphql-js server, same SQL',
      baselineMs: minimal.cpuMsPerRequest,
      goal: { atMost: 1.3 },
    });
    return [
      ...(before
        ? [figure('before (BENCH_BEFORE): server CPU per page of 50 (20 clients)', before.cpuMsPerRequest)]
        : []),
      figure('server CPU per page of 50 (20 clients)', ours.cpuMsPerRequest),
    ];
  } finally {
    await Promise.all(started.map((server) => server.stop()));
  }
}
