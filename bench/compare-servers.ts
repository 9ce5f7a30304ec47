import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median } from './bench-database';
import { closedLoop, GraphqlRequest, requester } from './http-load';
import {
  beforeServerEntry,
  minimalServerEntry,
  ourServerEntry,
  postgraphileServerEntry,
  ServerProcess,
  startServerProcess,
} from './server-process';

export const BENCH_JWT_SECRET = 'bench-secret-long-enough';

/**
 * The page of goal 1: one type's archived objects, 50, with their attachments and archiver. Both
 * servers answer this same text.
 */
export const BROWSE_QUERY = `query Browse($type: ObjectType!, $first: Int) {
  archivedObjects(type: $type, first: $first) {
    edges { cursor node { id type title createdAt archivedAt attachmentBytes
      archivedBy { id name } attachments { id fileName mimeType sizeBytes createdAt }
      ... on Deal { amountCents currency stage } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Which server: this build's (ours, as in production: a log line per request), the minimal
 * graphql-js one, the build in BENCH_BEFORE (a checkout of main, for before/after figures), or
 * PostGraphile v4 (the peer of goal 6; it answers its own query text, see peer.bench.ts).
 */
export type ServerKind = 'ours' | 'minimal' | 'before' | 'postgraphile';

/** Starts a server of `kind` on `databaseUrl`; `before` only when BENCH_BEFORE names a build. */
export async function startServer(
  kind: ServerKind,
  databaseUrl: string,
  nodeOptions: string[] = [],
): Promise<ServerProcess | undefined> {
  const common = { DATABASE_URL: databaseUrl, JWT_SECRET: BENCH_JWT_SECRET, PORT: '0' };
  if (kind === 'minimal') return startServerProcess(kind, minimalServerEntry(), common, nodeOptions);
  if (kind === 'postgraphile')
    return startServerProcess(kind, postgraphileServerEntry(), { ...common, NODE_ENV: 'production' }, nodeOptions);
  const entry = kind === 'ours' ? ourServerEntry() : beforeServerEntry();
  if (!entry) return undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-server-'));
  const production = { NODE_ENV: 'production', HOST: '127.0.0.1', DATA_DIR: dataDir, SCHEDULER_INTERVAL: '1h' };
  const server = await startServerProcess(kind, entry, { ...common, ...production }, nodeOptions);
  return {
    ...server,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Medians over the rounds of one server's closed-loop runs. */
export interface LoadFigures {
  perSecond: number;
  /** Server CPU time per answered request, in milliseconds. */
  cpuMsPerRequest: number;
}

/** The order of round `round`: alternating, so no server always runs first on a cooler machine. */
function roundOrder<T>(items: T[], round: number): T[] {
  return round % 2 === 0 ? items : [...items].reverse();
}

/**
 * `rounds` rounds of `clients` closed-loop clients for `ms` against each server: in turn, or with
 * `together` against all at once, so that each server's CPU per request is measured in the same
 * seconds as the others' (on a shared machine, load from elsewhere then weighs on all alike).
 * Medians per server.
 */
export async function compareUnderLoad(
  servers: ServerProcess[],
  requestFor: (server: ServerProcess) => GraphqlRequest,
  { rounds, clients, ms, together = false }: { rounds: number; clients: number; ms: number; together?: boolean },
): Promise<Map<ServerProcess, LoadFigures>> {
  const samples = new Map(servers.map((server) => [server, { rates: [] as number[], cpu: [] as number[] }]));
  const measure = async (server: ServerProcess) => {
    const cpuBefore = server.cpuMs();
    const run = await closedLoop(requestFor(server), clients, ms);
    const sample = samples.get(server)!;
    sample.rates.push(run.perSecond);
    sample.cpu.push((server.cpuMs() - cpuBefore) / run.completed);
  };
  for (const server of servers) await closedLoop(requestFor(server), clients, 500);
  for (let round = 0; round < rounds; round++) {
    if (together) await Promise.all(servers.map(measure));
    else for (const server of roundOrder(servers, round)) await measure(server);
  }
  return new Map(
    [...samples].map(([server, { rates, cpu }]) => [
      server,
      { perSecond: median(rates), cpuMsPerRequest: median(cpu) },
    ]),
  );
}

/**
 * One client's latency of each request: `rounds` × `requests` turns, each sending every request
 * once (in alternating order), so a burst of load from elsewhere falls on all of them alike; the
 * median of each request's times.
 */
export async function compareLatency(
  requests: GraphqlRequest[],
  { rounds, requests: count }: { rounds: number; requests: number },
): Promise<number[]> {
  const senders = requests.map((request) => requester(request, 1));
  try {
    const times = requests.map(() => [] as number[]);
    for (const { send } of senders) await send();
    for (let turn = 0; turn < rounds * count; turn++) {
      for (const index of roundOrder([...requests.keys()], turn)) {
        const start = process.hrtime.bigint();
        await senders[index].send();
        times[index].push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
    return times.map(median);
  } finally {
    for (const { close } of senders) close();
  }
}
