import { GraphQLSchema } from 'graphql';
import { Client as WsClient } from 'graphql-ws';
import { MeDocument } from '../operations/generated';
import { createSchema } from '../src/graphql/schema';
import { request } from './support/clients';
import { FuzzCase, generateCase } from './support/fuzz-documents';
import { Caller, createFuzzFixture, FuzzFixture } from './support/fuzz-fixture';
import { databaseChecksum } from './support/fuzz-oracle';
import { Random } from './support/fuzz-random';
import { rawRequest } from './support/fuzz-raw';
import { fuzzWsClient, postRequest, sendGet, sendRaw, sendWs } from './support/fuzz-transports';
import { startTestServer, TestServer } from './support/servers';
import { settles, STALL_GUARDED_TIMEOUT_MS } from './support/wait-for';

/**
 * Seeded fuzzing of the whole API over HTTP POST, HTTP GET, graphql-ws and raw HTTP bodies.
 * Every case is generated from its seed and number alone, so a failing case reproduces
 * with `FUZZ_SEED=<seed> FUZZ_CASE=<number> npx jest test/fuzz.test.ts`. FUZZ_RUNS sets the number
 * of cases per transport; FUZZ_SEED=random draws a new seed (printed with every finding).
 */
const SEED =
  process.env.FUZZ_SEED === 'random' ? Math.floor(Math.random() * 2 ** 32) : Number(process.env.FUZZ_SEED ?? 9);
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const ONLY = process.env.FUZZ_CASE === undefined ? undefined : Number(process.env.FUZZ_CASE);
/** Requests in flight at once: enough to keep the server busy, few enough to tell which case did what. */
const CONCURRENCY = 4;
/**
 * No case answered for this long means the server stopped making progress (a hang is a finding
 * too); it is no performance bound: the slowest cases take a few seconds on a busy machine.
 */
const STALL_MS = 60_000;
/** Who sends: mostly users who may do things, so that input gets past the rights checks to the services. */
const CALLER_WEIGHTS: [number, Caller][] = [
  [4, 'admin'],
  [2, 'member'],
  [2, 'other admin'],
  [1, 'anonymous'],
  [1, 'bad token'],
  [1, 'not bearer'],
];
/** Case numbers of each transport start here, so every case number names one transport. */
const BLOCK = 1_000_000;

let server: TestServer;
let fixture: FuzzFixture;
let schema: GraphQLSchema;

/*
 * An unhandled rejection or uncaught exception would end `npm start`. The server runs in this
 * jest worker, where jest-circus holds the real process's 'unhandledRejection' and
 * 'uncaughtException' listeners and fails the running test with the error's stack; a listener
 * added here would sit on the sandbox's copy of `process`, which Node never emits on (checked).
 * So a crash fails the test it happens in, without a case number: rerun that test with
 * FUZZ_CASE set to its cases (or a smaller FUZZ_RUNS) to find the one.
 */
beforeAll(async () => {
  server = await startTestServer();
  fixture = await createFuzzFixture(server);
  schema = await createSchema();
});

afterAll(async () => {
  await server?.close();
});

interface Finding {
  index: number;
  caller: Caller;
  problems: string[];
  request: string;
}

/** Runs `count` cases numbered from `first` (or only FUZZ_CASE), `CONCURRENCY` at a time, and collects findings. */
async function fuzz(
  first: number,
  count: number,
  send: (random: Random, caller: Caller, index: number) => Promise<{ problems: string[]; request: string }>,
): Promise<Finding[]> {
  // FUZZ_CASE runs that one case, whatever FUZZ_RUNS says, in the test whose block holds it.
  const indexes =
    ONLY === undefined
      ? Array.from({ length: count }, (_, i) => first + i)
      : [ONLY].filter((i) => i >= first && i < first + BLOCK);
  const findings: Finding[] = [];
  // Every answered case is progress: a case waits as long as the others keep being answered.
  let answered = 0;
  const worker = async () => {
    for (let index = indexes.shift(); index !== undefined; index = indexes.shift()) {
      const random = Random.forCase(SEED, index);
      const caller = random.weighted(CALLER_WEIGHTS);
      const { problems, request } = await settles(send(random, caller, index), {
        what: `an answer to case ${index}`,
        progress: () => answered,
        stallMs: STALL_MS,
      });
      answered += 1;
      if (problems.length > 0) findings.push({ index, caller, problems, request });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return findings;
}

function newCase(random: Random): FuzzCase {
  return generateCase({ schema, knownIds: fixture.knownIds, random });
}

/** A request short enough to read in a report: 1 MB strings are cut. */
function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 600 ? `${text.slice(0, 600)}… (${text.length} chars)` : text;
}

/** Kinds of problem a failure lists (the rest are counted): enough to act on, short enough to read. */
const MAX_KINDS = 40;

/** A problem without its particulars (quoted values, numbers), to count problems of one kind. */
function kindOf(problem: string): string {
  return problem
    .replace(/\\?"[^"]*\\?"/g, '"…"')
    .replace(/\d+/g, 'N')
    .slice(0, 110);
}

/**
 * What the run found, one line per kind of problem with its count and the first case that shows
 * it (seed and case number reproduce it), then whether `me` still answers and whether any row
 * changed: [] when all is well.
 */
async function verdict(findings: Finding[], before: Record<string, string>): Promise<string[]> {
  const kinds = new Map<string, { count: number; example: string }>();
  for (const finding of findings) {
    for (const problem of finding.problems) {
      const kind = kinds.get(kindOf(problem)) ?? { count: 0, example: '' };
      kind.example ||= `FUZZ_SEED=${SEED} FUZZ_CASE=${finding.index} as ${finding.caller}: ${problem}\n    request: ${finding.request}`;
      kinds.set(kindOf(problem), { ...kind, count: kind.count + 1 });
    }
  }
  const report = [...kinds].map(([kind, { count, example }]) => `${count}× ${kind}\n  e.g. ${example}`);
  if (report.length > MAX_KINDS) report.splice(MAX_KINDS, Infinity, `… and ${report.length - MAX_KINDS} more kinds`);
  const me = await request(server.url, MeDocument, {}, fixture.admin.token);
  if (me.data?.me.id !== fixture.admin.id) report.push(`\`me\` no longer answers: ${JSON.stringify(me)}`);
  const after = await databaseChecksum(server.database.db);
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[table] !== after[table]) report.push(`table ${table} changed: ${before[table]} → ${after[table]}`);
  }
  return report;
}

describe(`fuzzing the API (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS})`, () => {
  it(
    'answers generated documents over HTTP POST with coded errors only, and changes nothing',
    async () => {
      const before = await databaseChecksum(server.database.db);
      const findings = await fuzz(0, RUNS, async (random, caller) => {
        const fuzzCase = newCase(random);
        const post = postRequest(fuzzCase.body, fixture.callers[caller]);
        return { problems: await sendRaw(server.url, post, fuzzCase.mustRefuse), request: shown(fuzzCase.body) };
      });
      expect(await verdict(findings, before)).toEqual([]);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );

  it(
    'answers generated documents over HTTP GET with coded errors only, and changes nothing',
    async () => {
      const before = await databaseChecksum(server.database.db);
      const findings = await fuzz(BLOCK, RUNS, async (random, caller) => {
        const fuzzCase = newCase(random);
        return {
          problems: await sendGet(server.url, fuzzCase, fixture.callers[caller]),
          request: shown(fuzzCase.body),
        };
      });
      expect(await verdict(findings, before)).toEqual([]);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );

  it(
    'answers generated documents over graphql-ws with coded errors only, and changes nothing',
    async () => {
      const before = await databaseChecksum(server.database.db);
      const clients = new Map<Caller, WsClient>();
      let findings: Finding[];
      try {
        findings = await fuzz(2 * BLOCK, RUNS, async (random, caller) => {
          const fuzzCase = newCase(random);
          if (!clients.has(caller)) clients.set(caller, fuzzWsClient(server.wsUrl, fixture.callers[caller]));
          return { problems: await sendWs(clients.get(caller)!, fuzzCase), request: shown(fuzzCase.body) };
        });
      } finally {
        await Promise.all([...clients.values()].map((client) => client.dispose()));
      }
      expect(await verdict(findings, before)).toEqual([]);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );

  it(
    'answers raw, malformed HTTP requests with coded JSON errors, and changes nothing',
    async () => {
      const before = await databaseChecksum(server.database.db);
      const findings = await fuzz(3 * BLOCK, Math.ceil(RUNS / 3), async (random, caller) => {
        const raw = rawRequest(random, fixture.callers[caller]);
        const body = shown(JSON.stringify(raw.body?.toString('latin1') ?? ''));
        return {
          problems: await sendRaw(server.url, raw),
          request: `${raw.method} ${JSON.stringify(raw.headers)} ${body}`,
        };
      });
      expect(await verdict(findings, before)).toEqual([]);
    },
    STALL_GUARDED_TIMEOUT_MS,
  );
});
