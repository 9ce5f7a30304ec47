import { AuthService } from '../src/domain/identity/auth.service';
import { BenchDatabase } from './bench-database';
import { BENCH_JWT_SECRET, BROWSE_QUERY, compareUnderLoad, startServer } from './compare-servers';
import { requester } from './http-load';
import { BenchResult, BenchShared } from './run';
import { ServerProcess } from './server-process';

const FULL_SIZE = 1_000_000;
const LOAD = { rounds: 6, clients: 20, ms: 3_000 };

/**
 * What PostGraphile needs to serve the page, made in the bench database only (and dropped after):
 * the deals table has no "archived" condition PostGraphile can express, and attachments have no
 * foreign key to their object, so both are SQL functions (STABLE, not STRICT, one SELECT each, so
 * PostgreSQL inlines them into PostGraphile's statement and plans them as plain SELECTs). No new
 * index: `deals_archived (workspace_id, archived_at DESC, id DESC) WHERE archived_at IS NOT NULL`
 * serves the page and `attachments_object (object_type, object_id)` each deal's attachments, as
 * they do for our server; the users' primary key serves the archiver.
 */
const PEER_FUNCTIONS = `
  CREATE FUNCTION archived_deals(ws uuid) RETURNS SETOF deals LANGUAGE sql STABLE AS $$
    SELECT * FROM deals WHERE workspace_id = ws AND archived_at IS NOT NULL ORDER BY archived_at DESC, id DESC
  $$;
  CREATE FUNCTION deals_attachments(d deals) RETURNS SETOF attachments LANGUAGE sql STABLE AS $$
    SELECT * FROM attachments WHERE object_type = 'DEAL' AND object_id = d.id ORDER BY created_at, id
  $$;`;
const DROP_PEER_FUNCTIONS = 'DROP FUNCTION archived_deals(uuid); DROP FUNCTION deals_attachments(deals);';

/**
 * The page of BROWSE_QUERY in PostGraphile's schema: the same deals, order, cursors, page info,
 * columns, archiver and attachments (`type` aside: PostGraphile has no such column).
 */
const PEER_QUERY = `query Browse($ws: UUID!, $first: Int) {
  archivedDeals(ws: $ws, first: $first) {
    edges { cursor node { id title createdAt archivedAt attachmentBytes
      userByArchivedBy { id name } attachmentsList { id fileName mimeType sizeBytes createdAt }
      amountCents currency stage } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Page {
  ids: string[];
  attachmentIds: string[];
}

/**
 * Goal 6. The archived-deals page of the large workspace at 1M objects (shared large dataset),
 * 20 clients, ours (with its JWT verified per request) against PostGraphile v4 (no JWT) on the
 * same database, rounds of 3 s alternating between them; medians. The minimal server of goal 2
 * runs in the same rounds: what our SQL and resolver-per-field execution allow at best. Both
 * answers are compared first: the same deals in the same order, with the same attachments.
 */
export async function peerBench(_fresh: BenchDatabase, { large }: BenchShared): Promise<BenchResult[]> {
  const data = await large.atLeast(FULL_SIZE);
  const workspace = large.largest!;
  const token = new AuthService(data.db, BENCH_JWT_SECRET).sign(workspace.adminId);
  await data.db.rows(PEER_FUNCTIONS);
  const started: ServerProcess[] = [];
  try {
    for (const kind of ['ours', 'minimal', 'postgraphile'] as const) started.push((await startServer(kind, data.url))!);
    const [ours, minimal, peer] = started;
    // BENCH_BEFORE (a built checkout of main): its server runs in the same rounds, for before/after.
    const before = await startServer('before', data.url);
    if (before) started.push(before);
    const requestFor = (server: ServerProcess) =>
      server === peer
        ? { url: peer.url, query: PEER_QUERY, variables: { ws: workspace.id, first: 50 } }
        : { url: server.url, token, query: BROWSE_QUERY, variables: { type: 'DEAL', first: 50 } };
    await sameAnswers(requestFor(ours), requestFor(peer));
    const load = await compareUnderLoad(started, requestFor, LOAD);
    const oursLoad = load.get(ours)!;
    const minimalLoad = load.get(minimal)!;
    const peerLoad = load.get(peer)!;
    const beforeLoad = before && load.get(before);
    const scale = `${Math.round(large.objects / 1000)}k objects, page in a workspace of ${Math.round(workspace.objects / 1000)}k`;
    return [
      {
        name: `20 clients at ${scale}, pages per second`,
        ms: oursLoad.perSecond,
        unit: 'req/s',
        baselineName: 'PostGraphile v4, same data and indexes',
        baselineMs: peerLoad.perSecond,
        goal: { atLeast: 1.5 },
      },
      ...(beforeLoad
        ? [
            {
              name: 'before (BENCH_BEFORE): 20 clients, pages per second',
              ms: beforeLoad.perSecond,
              unit: 'req/s',
              baselineName: 'PostGraphile v4',
              baselineMs: peerLoad.perSecond,
            },
            {
              name: 'before (BENCH_BEFORE): server CPU per page',
              ms: beforeLoad.cpuMsPerRequest,
              unit: 'ms CPU',
              baselineName: 'PostGraphile v4',
              baselineMs: peerLoad.cpuMsPerRequest,
            },
          ]
        : []),
      {
        name: 'server CPU per page (20 clients), ours',
        ms: oursLoad.cpuMsPerRequest,
        unit: 'ms CPU',
        baselineName: "the minimal graphql-js server, today's SQL",
        baselineMs: minimalLoad.cpuMsPerRequest,
        goal: { atMost: 1 },
      },
      {
        name: 'the minimal graphql-js server (our SQL, 4 statements), pages per second',
        ms: minimalLoad.perSecond,
        unit: 'req/s',
        baselineName: 'PostGraphile v4',
        baselineMs: peerLoad.perSecond,
      },
      {
        name: 'server CPU per page (20 clients)',
        ms: oursLoad.cpuMsPerRequest,
        unit: 'ms CPU',
        baselineName: 'PostGraphile v4',
        baselineMs: peerLoad.cpuMsPerRequest,
      },
    ];
  } finally {
    await Promise.all(started.map((server) => server.stop()));
    await data.db.rows(DROP_PEER_FUNCTIONS);
  }
}

/** Refuses to compare rates unless both servers answer the same page. */
async function sameAnswers(
  oursRequest: Parameters<typeof requester>[0],
  peerRequest: Parameters<typeof requester>[0],
): Promise<void> {
  const fetchPage = async (request: Parameters<typeof requester>[0]) => {
    const { send, close } = requester(request, 1);
    return JSON.parse(await send().finally(close)) as { data: Record<string, PageJson> };
  };
  const ours = pageOf((await fetchPage(oursRequest)).data.archivedObjects, 'attachments');
  const peer = pageOf((await fetchPage(peerRequest)).data.archivedDeals, 'attachmentsList');
  if (ours.ids.length !== 50 || JSON.stringify(ours) !== JSON.stringify(peer))
    throw new Error(`the servers answer different pages:\nours ${JSON.stringify(ours)}\npeer ${JSON.stringify(peer)}`);
}

interface PageJson {
  edges: { node: { id: string; [field: string]: unknown } }[];
}

function pageOf(page: PageJson, attachmentsField: string): Page {
  return {
    ids: page.edges.map((edge) => edge.node.id),
    attachmentIds: page.edges.flatMap((edge) =>
      (edge.node[attachmentsField] as { id: string }[]).map((attachment) => attachment.id),
    ),
  };
}
