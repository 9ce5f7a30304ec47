import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, executeSync, parse, print, separateOperations, specifiedRules, validate } from 'graphql';
import { FULL_INTROSPECTION, introspectionCopies, typenameAliases } from '../bench/flood-documents';
import { MeDocument } from '../operations/generated';
import { QUERY_LIMIT_RULES, QUERY_LIMITS, QUERY_PARSE_OPTIONS } from '../src/graphql/limits/operation-limits';
import { costLimit, depthLimit, introspectionLimit } from '../src/graphql/limits/query-limits';
import { createSchema } from '../src/graphql/schema';
import { executeWs, mustRequest, watchWs } from './support/clients';
import { createWorkspace, TestWorkspace } from './support/fixtures';
import { startTestServer, TestServer } from './support/servers';

const ALL_RULES = [...specifiedRules, ...QUERY_LIMIT_RULES];

let server: TestServer;
let ws: TestWorkspace;

beforeAll(async () => {
  // No scheduler tick during the tests: the statement counts below are the requests' alone.
  server = await startTestServer({ SCHEDULER_INTERVAL: '1h' });
  ws = await createWorkspace(server.database.db, 1, 0);
});
afterAll(() => server.close());

/** POSTs raw GraphQL text, for operations the typed documents cannot express; `null` token: anonymous. */
async function post(query: string, token: string | null = ws.admins[0].token) {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  return {
    bytes: text.length,
    ...(JSON.parse(text) as { data?: unknown; errors?: { message: string; extensions: { code: string } }[] }),
  };
}

const aliased = (count: number) =>
  `{ ${Array.from(
    { length: count },
    (_, i) =>
      `a${i}: archivedObjects(type: TASK, first: 200) { edges { node { id title attachments { id fileName } } } }`,
  ).join(' ')} }`;

describe('query cost limit', () => {
  it('accepts every operation frontends use (operations/*.graphql) under every limit', async () => {
    const dir = path.join(__dirname, '../operations');
    const text = readdirSync(dir)
      .filter((file) => file.endsWith('.graphql'))
      .map((file) => readFileSync(path.join(dir, file), 'utf8'))
      .join('\n');
    // One document per operation with only the fragments it uses, as codegen's clients send them.
    const operations = Object.values(separateOperations(parse(text)));
    expect(operations.length).toBeGreaterThan(10);
    const schema = await createSchema();
    for (const operation of operations) {
      // Printed and parsed again under the token limit, as a client would send it.
      const sent = parse(print(operation), QUERY_PARSE_OPTIONS);
      expect(validate(schema, sent, ALL_RULES)).toEqual([]);
    }
  });

  it('refuses many aliased pages over HTTP with BAD_USER_INPUT and the estimated cost, and runs nothing', async () => {
    const small = await post(aliased(2));
    expect(small.errors).toBeUndefined();
    const before = server.app.services.db.statementCount;
    const refused = await post(aliased(40));
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    const cost = Number(/estimated cost is (\d+); at most (\d+)/.exec(refused.errors?.[0].message ?? '')?.[1]);
    expect(cost).toBeGreaterThan(QUERY_LIMITS.maxCost);
    // Validation refuses before any resolver runs: only the request's auth lookup reached the database.
    expect(server.app.services.db.statementCount - before).toBeLessThanOrEqual(1);
  });

  it('refuses the same over WebSocket', async () => {
    const socket = watchWs(server.wsUrl, `Bearer ${ws.admins[0].token}`);
    try {
      const outcome = await executeWs(socket.client, parse(aliased(40)));
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
    expect(validate(schema, document, [depthLimit(10), costLimit(QUERY_LIMITS.maxCost)])).toEqual([]);
  });

  it('still refuses what the fragments really add up to', async () => {
    const schema = await createSchema();
    const page = 'archivedObjects(type: TASK, first: 200) { edges { node { id title } } }';
    const wide = Array.from({ length: 70 }, (_, i) => `a${i}: ${page}`).join(' ');
    const document = parse(`{ ...F0 }\n${chain('Query', wide)}`);
    const errors = validate(schema, document, [costLimit(QUERY_LIMITS.maxCost)]);
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

/** Counts every key of a result, as the introspection count counts the fields it resolves. */
function fieldsIn(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + fieldsIn(item), 0);
  if (!value || typeof value !== 'object') return 0;
  return Object.values(value).reduce((sum: number, item) => sum + 1 + fieldsIn(item), 0);
}

// Each refused document also asks for a list that reads the database, so "nothing ran" is visible.
const READS = 'notifications(first: 1) { totalCount }';
const { maxTokens, maxAliases, maxDirectives, maxIntrospectionDepth } = QUERY_LIMITS;
const REFUSALS: [string, string, RegExp][] = [
  ['more tokens than allowed', `{ ${READS} ${'__typename '.repeat(maxTokens)} }`, /contains more th\w+ 2000 tokens/],
  ['more aliases than allowed (__typename too)', typenameAliases(maxAliases + 1, READS), /Aliases limit of 50/],
  [
    'more directives than allowed',
    `{ ${READS} ${'__typename @include(if: true) '.repeat(maxDirectives + 1)}}`,
    /Directives limit of 20/,
  ],
  ['ten aliased full introspections', introspectionCopies(10, READS), /introspection resolves \d+ fields; at most/],
  [
    'introspection nested too deep',
    `{ ${READS} __schema { types { ${'ofType { '.repeat(maxIntrospectionDepth)}name${' }'.repeat(maxIntrospectionDepth)} } } }`,
    /introspection is 23 levels deep; at most 20/,
  ],
];

describe('introspection and document limits', () => {
  it("answers the playground's full introspection over HTTP, anonymously, and over WebSocket", async () => {
    const answer = await post(FULL_INTROSPECTION, null);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toMatchObject({ __schema: { queryType: { name: 'Query' } } });
    const socket = watchWs(server.wsUrl, `Bearer ${ws.admins[0].token}`);
    try {
      const outcome = await executeWs(socket.client, introspectionCopies(1));
      expect(outcome).toMatchObject({ result: { data: { s0: { queryType: { name: 'Query' } } } } });
    } finally {
      await socket.client.dispose();
    }
  });

  it('counts exactly the fields introspection resolves', async () => {
    const schema = await createSchema();
    for (const query of [FULL_INTROSPECTION, '{ __type(name: "Deletion") { name fields { name type { name } } } }']) {
      const [refusal] = validate(schema, parse(query), [introspectionLimit(1)]);
      const counted = Number(/resolves (\d+) fields/.exec(refusal.message)?.[1]);
      expect(counted).toBe(fieldsIn(executeSync({ schema, document: parse(query) }).data));
    }
  });

  it.each(REFUSALS)('refuses %s over HTTP with BAD_USER_INPUT, before anything runs', async (_, query, message) => {
    const before = server.app.services.db.statementCount;
    const refused = await post(query);
    expect(refused.data).toBeUndefined();
    expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.map((error) => error.message).join('\n')).toMatch(message);
    // A short refusal, and only the request's token lookup reached the database: the list never ran.
    expect(refused.bytes).toBeLessThan(2_000);
    expect(server.app.services.db.statementCount - before).toBeLessThanOrEqual(1);
  });

  it.each(REFUSALS)(
    'refuses %s over WebSocket with BAD_USER_INPUT; the socket stays usable',
    async (_, query, message) => {
      const socket = watchWs(server.wsUrl, `Bearer ${ws.admins[0].token}`);
      try {
        const outcome = await executeWs(socket.client, query);
        // A document can break more than one limit (ten introspections also cost too much): each
        // refusal is listed, and every one is BAD_USER_INPUT.
        const codes = (
          (outcome as { failure?: unknown }).failure as { extensions?: { code?: string } }[] | undefined
        )?.map((error) => error.extensions?.code);
        expect(codes?.length).toBeGreaterThan(0);
        expect(new Set(codes)).toEqual(new Set(['BAD_USER_INPUT']));
        expect(JSON.stringify(outcome)).toMatch(message);
        expect(JSON.stringify(outcome).length).toBeLessThan(2_000);
        const next = await executeWs(socket.client, '{ __typename }');
        expect(next).toEqual({ result: { data: { __typename: 'Query' } } });
        expect(socket.closes).toEqual([]);
      } finally {
        await socket.client.dispose();
      }
    },
  );

  it("refuses the issue's floods (1,000 aliased __schema, 40,000 __typename) cheaply; /healthz answers", async () => {
    const floods = [introspectionCopies(1_000), typenameAliases(40_000)].map((query) => post(query, null));
    const health = fetch(new URL('/healthz', server.url));
    for (const refused of await Promise.all(floods)) {
      expect(refused.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(refused.bytes).toBeLessThan(2_000);
    }
    expect((await health).status).toBe(200);
    expect((await fetch(new URL('/healthz', server.url))).status).toBe(200);
  });

  it('answers a syntax or validation error over WebSocket with BAD_USER_INPUT, and keeps the socket', async () => {
    const socket = watchWs(server.wsUrl, `Bearer ${ws.admins[0].token}`);
    try {
      const outcome = await executeWs(socket.client, '{ me ');
      expect(outcome).toMatchObject({
        failure: [{ message: expect.stringMatching(/Syntax Error/), extensions: { code: 'BAD_USER_INPUT' } }],
      });
      const unknown = await executeWs(socket.client, '{ me { nope } }');
      expect(unknown).toMatchObject({
        failure: [{ message: expect.stringMatching(/nope/), extensions: { code: 'BAD_USER_INPUT' } }],
      });
      expect(await executeWs(socket.client, '{ me { id } }')).toEqual({
        result: { data: { me: { id: ws.admins[0].id } } },
      });
    } finally {
      await socket.client.dispose();
    }
  });
});
