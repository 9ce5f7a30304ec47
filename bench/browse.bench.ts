import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { Database } from '../src/database/database';
import { createLogger } from '../src/log';
import { generateBulkData } from '../src/cli/bulk-data';
import { LocalFileStore } from '../src/domain/files/file-store';
import { AuthService } from '../src/domain/identity/auth.service';
import { BenchDatabase } from './bench-database';
import {
  BENCH_JWT_SECRET,
  BROWSE_QUERY,
  compareLatency,
  compareUnderLoad,
  ServerKind,
  startServer,
} from './compare-servers';
import { GraphqlRequest, requester } from './http-load';
import { BenchResult, BenchShared } from './run';
import { ServerProcess } from './server-process';

const FULL_SIZE = 1_000_000;
const SMALL_SIZE = 30_000;
const LATENCY = { rounds: 6, requests: 25 };
const LOAD = { rounds: 4, clients: 20, ms: 3_000 };
/** What the minimal server runs for a page: the token's user, the page, archivedBy's users, the attachments. */
const MINIMAL_SERVER_STATEMENTS = 4;
/** A sequential scan of a table this large would make a page's cost grow with the data. */
const SCANNABLE_ROWS = 1_000;

/**
 * Goal 1. The archived-deals page (50, with attachments and archivedBy) for one client on 30k
 * objects (this bench's own database) and on 1M (the shared large dataset: 100 workspaces, the page
 * in the large one of ~300k), both served at once so their rounds interleave; 20 clients against
 * the minimal graphql-js server with the same SQL; the statements a page runs at both sizes and
 * page sizes, each EXPLAINed; and what totalCount adds when selected.
 */
export async function browseBench(fresh: BenchDatabase, { large }: BenchShared): Promise<BenchResult[]> {
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-browse-'));
  const [small] = await generateBulkData(fresh.db, new LocalFileStore(filesDir), {
    objects: SMALL_SIZE,
    workspaces: 1,
    files: 'rows-only',
  });
  const big = await large.atLeast(FULL_SIZE);
  const largest = large.largest!;
  const auth = new AuthService(fresh.db, BENCH_JWT_SECRET);
  const [smallAdmin, largeAdmin] = [auth.sign(small.adminId), auth.sign(largest.adminId)];
  const started: ServerProcess[] = [];
  const start = async (kind: ServerKind, database: BenchDatabase) => {
    const server = await startServer(kind, database.url);
    if (server) started.push(server);
    return server;
  };
  const counters: StatementCounter[] = [];
  try {
    const oursSmall = (await start('ours', fresh))!;
    const oursLarge = (await start('ours', big))!;
    const minimalLarge = (await start('minimal', big))!;
    const beforeSmall = await start('before', fresh);
    const beforeLarge = await start('before', big);
    const page = (server: ServerProcess | StatementCounter, token: string, first = 50, query = BROWSE_QUERY) => ({
      url: server.url,
      token,
      query,
      variables: { type: 'DEAL', first },
    });
    const [at30k, at1M, beforeAt30k, beforeAt1M] = await compareLatency(
      [
        page(oursSmall, smallAdmin),
        page(oursLarge, largeAdmin),
        ...(beforeSmall && beforeLarge ? [page(beforeSmall, smallAdmin), page(beforeLarge, largeAdmin)] : []),
      ],
      LATENCY,
    );
    const load = await compareUnderLoad(
      beforeLarge ? [oursLarge, minimalLarge, beforeLarge] : [oursLarge, minimalLarge],
      (server) => page(server, largeAdmin),
      LOAD,
    );

    counters.push(await StatementCounter.start(fresh.url), await StatementCounter.start(big.url));
    const [smallCounter, largeCounter] = counters;
    const statementsAt30k = await smallCounter.perPage(page(smallCounter, smallAdmin, 1));
    const statementsAt1M = await largeCounter.perPage(page(largeCounter, largeAdmin, 50));
    const withTotal = BROWSE_QUERY.replace('pageInfo {', 'totalCount pageInfo {');
    const statementsWithTotal = await largeCounter.perPage(page(largeCounter, largeAdmin, 50, withTotal));

    const ours = load.get(oursLarge)!;
    const minimal = load.get(minimalLarge)!;
    const before = beforeLarge && load.get(beforeLarge);
    const scale = `${Math.round(large.objects / 1000)}k objects, page in a workspace of ${Math.round(largest.objects / 1000)}k`;
    const latencyFigure = (who: string, ms: number, baselineMs: number): BenchResult => ({
      name: `${who}1 client, page latency at ${scale}`,
      ms,
      baselineName: `at ${SMALL_SIZE / 1000}k objects`,
      baselineMs,
      goal: { atMost: 1.5 },
    });
    const rateFigure = (who: string, perSecond: number): BenchResult => ({
      name: `${who}20 clients at ${scale}, pages per second`,
      ms: perSecond,
      unit: 'req/s',
      baselineName: 'minimal graphql-js server, same SQL',
      baselineMs: minimal.perSecond,
      goal: { atLeast: 0.5 },
    });
    const beforeFigures =
      before && beforeAt30k !== undefined
        ? [latencyFigure(BEFORE, beforeAt1M, beforeAt30k), rateFigure(BEFORE, before.perSecond)]
        : [];
    return [
      ...beforeFigures,
      latencyFigure('', at1M, at30k),
      rateFigure('', ours.perSecond),
      {
        name: `statements per page of 50 at 1M (${statementsAt1M.indexed} of ${statementsAt1M.count} by index)`,
        ms: statementsAt1M.count,
        unit: 'statements',
        baselineName: `page of 1 at 30k (${statementsAt30k.indexed} of ${statementsAt30k.count} by index)`,
        baselineMs: statementsAt30k.count,
        goal: { atMost: 1 },
      },
      {
        name: 'statements of a page without totalCount',
        ms: statementsAt1M.count,
        unit: 'statements',
        baselineName: 'minimal server (auth, page, users, attachments)',
        baselineMs: MINIMAL_SERVER_STATEMENTS,
        goal: { atMost: 1 },
      },
      {
        name: 'statements of a page with totalCount (from the counter)',
        ms: statementsWithTotal.count,
        unit: 'statements',
        baselineName: 'without totalCount',
        baselineMs: statementsAt1M.count,
      },
      {
        name: 'every statement of a page reads by index (no scan of a table over 1000 rows)',
        ms: statementsAt1M.indexed,
        unit: 'statements',
        baselineName: 'statements',
        baselineMs: statementsAt1M.count,
        goal: { atLeast: 1 },
      },
    ];
  } finally {
    await Promise.all([...started, ...counters].map((server) => server.stop()));
    rmSync(filesDir, { recursive: true, force: true });
  }
}

/** How the figures of the BENCH_BEFORE build are named. */
const BEFORE = 'before (BENCH_BEFORE): ';

/**
 * Our app in this process, to see the statements a request runs: each is counted, and EXPLAINed
 * afterwards (the same text and parameters) for a sequential scan of a large table.
 */
class StatementCounter {
  private constructor(
    private readonly app: App,
    private readonly dataDir: string,
  ) {}

  static async start(databaseUrl: string): Promise<StatementCounter> {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-bench-statements-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      PORT: '0',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      JWT_SECRET: BENCH_JWT_SECRET,
      SCHEDULER_INTERVAL: '1h',
      LOG_LEVEL: 'silent',
    });
    return new StatementCounter(await startApp(config, createLogger('silent')), dataDir);
  }

  get url(): string {
    return this.app.server.url;
  }

  /** The statements one request ran, and how many of them read no large table sequentially. */
  async perPage(request: GraphqlRequest): Promise<{ count: number; indexed: number }> {
    const db = this.app.services.db;
    const seen: [string, unknown[]][] = [];
    const rows = db.rows.bind(db);
    db.rows = (text, params = []) => {
      seen.push([text, params]);
      return rows(text, params);
    };
    try {
      const { send, close } = requester(request, 1);
      await send().finally(close);
    } finally {
      db.rows = rows;
    }
    let indexed = 0;
    for (const [text, params] of seen) if (!(await scansLargeTable(db, text, params))) indexed += 1;
    return { count: seen.length, indexed };
  }

  async stop(): Promise<void> {
    await this.app.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

async function scansLargeTable(db: Database, text: string, params: unknown[]): Promise<boolean> {
  const [row] = await db.rows<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
  const scanned: string[] = [];
  const walk = (node: PlanNode) => {
    if (node['Node Type'] === 'Seq Scan' && node['Relation Name']) scanned.push(node['Relation Name']);
    node.Plans?.forEach(walk);
  };
  walk(row['QUERY PLAN'][0].Plan);
  if (scanned.length === 0) return false;
  const sizes = await db.rows<{ rows: number }>(
    'SELECT reltuples::float8 AS rows FROM pg_class WHERE relname = ANY($1::text[])',
    [scanned],
  );
  return sizes.some((size) => size.rows > SCANNABLE_ROWS);
}
