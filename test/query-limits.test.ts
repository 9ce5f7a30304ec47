import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, DefinitionNode, Kind, parse, validate } from 'graphql';
import { MeDocument } from '../operations/generated';
import { MAX_QUERY_COST } from '../src/server/http-server';
import { costLimit, depthLimit } from '../src/server/query-limits';
import { createSchema } from '../src/server/schema';
import { executeWs, mustRequest, watchWs, within } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/test-server';

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  server = await startTestServer();
  ws = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

/** POSTs raw GraphQL text, for operations the typed documents cannot express. */
async function post(query: string) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ws.admins[0].token}` },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data?: unknown;
    errors?: { message: string; extensions: { code: string } }[];
  };
}

const aliased = (count: number) =>
  `{ ${Array.from(
    { length: count },
    (_, i) =>
      `a${i}: archivedObjects(type: TASK, first: 200) { edges { node { id title attachments { id fileName } } } }`,
  ).join(' ')} }`;

describe('query cost limit', () => {
  it('accepts every operation frontends use (operations/*.graphql)', async () => {
    const dir = path.join(__dirname, '../operations');
    const text = readdirSync(dir)
      .filter((file) => file.endsWith('.graphql'))
      .map((file) => readFileSync(path.join(dir, file), 'utf8'))
      .join('\n');
    const document = parse(text);
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThan(10);
    const schema = await createSchema();
    for (const operation of operations) {
      const definitions: DefinitionNode[] = [operation, ...fragments];
      expect(validate(schema, { kind: Kind.DOCUMENT, definitions }, [costLimit(MAX_QUERY_COST)])).toEqual([]);
    }
  });

  it('refuses many aliased pages over HTTP with BAD_USER_INPUT and the estimated cost, and runs nothing', async () => {
    const small = await post(aliased(2));
    expect(small.errors).toBeUndefined();
    const before = server.database.db.statementCount;
    const refused = await post(aliased(40));
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const cost = Number(/estimated cost is (\d+); at most (\d+)/.exec(refused.errors?.[0].message ?? '')?.[1]);
    expect(cost).toBeGreaterThan(MAX_QUERY_COST);
    // Validation refuses before any resolver runs: only the request's auth lookup reached the database.
    expect(server.database.db.statementCount - before).toBeLessThanOrEqual(1);
  });

  it('refuses the same over WebSocket', async () => {
    const socket = watchWs(server.wsUrl, `Bearer ${ws.admins[0].token}`);
    try {
      const outcome = await within(executeWs(socket.client, parse(aliased(40))), 5_000, 'the refusal');
      expect(outcome).toMatchObject({ failure: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
      expect(await mustRequest(server.url, MeDocument, {}, ws.admins[0].token)).toBeTruthy();
    } finally {
      await socket.client.dispose();
    }
  });
});

describe('query limits on fragment chains', () => {
  // Each fragment spreads the next one twice: walking spreads naively would take 2^40 steps.
  const chain = (type: string, leaf: string, length = 40) =>
    Array.from({ length }, (_, i) => `fragment F${i} on ${type} { ...F${i + 1} ...F${i + 1} }`).join('\n') +
    `\nfragment F${length} on ${type} { ${leaf} }`;

  it('measures each fragment once, so validation stays linear, and counts a twice-spread fragment once', async () => {
    const schema = await createSchema();
    const document = parse(`{ me { ...F0 } }\n${chain('User', 'id name')}`);
    expect(validate(schema, document, [depthLimit(10), costLimit(MAX_QUERY_COST)])).toEqual([]);
  });

  it('still refuses what the fragments really add up to', async () => {
    const schema = await createSchema();
    const page = 'archivedObjects(type: TASK, first: 200) { edges { node { id title } } }';
    const wide = Array.from({ length: 70 }, (_, i) => `a${i}: ${page}`).join(' ');
    const document = parse(`{ ...F0 }\n${chain('Query', wide)}`);
    const errors = validate(schema, document, [costLimit(MAX_QUERY_COST)]);
    expect(errors.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('query depth limit', () => {
  // Our schema has no list cycle deeper than the limit, so the rule is checked on a recursive one.
  const schema = buildSchema('type Query { node: Node } type Node { child: Node, id: ID }');
  /** `{ node { child { … id } } }`, `levels` deep counting the operation. */
  const nested = (levels: number) => `{ node { ${'child { '.repeat(levels - 2)}id ${'} '.repeat(levels - 1)}}`;

  it('accepts 10 levels and refuses 11, also through fragments', () => {
    expect(validate(schema, parse(nested(10)), [depthLimit(10)])).toEqual([]);
    const refused = validate(schema, parse(nested(11)), [depthLimit(10)]);
    expect(refused.map((e) => e.extensions.code)).toEqual(['BAD_USER_INPUT']);
    const throughFragments = parse(
      `{ node { ...A } } fragment A on Node { child { child { child { ...B } } } }
       fragment B on Node { child { child { child { child { child { child { id } } } } } } }`,
    );
    expect(validate(schema, throughFragments, [depthLimit(10)])).toHaveLength(1);
  });
});
