import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, startApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger, Logger } from '../../src/log';
import { killProcessTree, processTreeWork } from './processes';
import { createTestDatabase, TestDatabase } from './test-database';
import { settles, waitFor, WaitOptions } from './wait-for';

/**
 * The one place tests start servers: in this process (`startTestServer`) or as a real `npm start`
 * process (`startServerProcess`). Both build their environment the same way and register what they
 * start for cleanup, which runs even when the test failed:
 * - a child process is SIGKILLed with its own children (an embedded PostgreSQL) and awaited after
 *   its test, or first thing after its file when started outside a test, so before the file's own
 *   afterAll drops a database it writes to;
 * - a server in this process started inside a test is closed after it; one started in beforeAll is
 *   closed by the file's afterAll, which may still need it before (e.g. to verify the database).
 */

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough';

/** `npm start`'s entry point, built into dist/ by `npm test`'s pretest. */
const MAIN = path.join(__dirname, '../../dist/src/main.js');

/** Variables for a server under test; a variable set to `undefined` is left out (e.g. `JWT_SECRET`). */
export type ServerEnv = Record<string, string | undefined>;

/** Where a server keeps its data. */
export interface ServerPlace {
  /** The database it uses; none: the embedded PostgreSQL under the data folder (`DATABASE_URL` unset). */
  database?: { url: string };
  /** Its file folder (DATA_DIR); none: a fresh one under the OS temp folder, removed after the server stopped. */
  dataDir?: string;
}

/** The environment both starters give a server: a free port, the test secret, quiet logs, then `env`. */
function serverEnv(place: ServerPlace, dataDir: string, logLevel: string, env: ServerEnv): ServerEnv {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    DATABASE_URL: place.database?.url,
    DATA_DIR: dataDir,
    JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: logLevel,
    ...env,
  };
}

/** A fresh folder for a server's files, or the given one; `remove` deletes only what was made here. */
function dataFolder(place: ServerPlace): { dataDir: string; remove(): void } {
  if (place.dataDir) return { dataDir: place.dataDir, remove: () => undefined };
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-files-'));
  return { dataDir, remove: () => rmSync(dataDir, { recursive: true, force: true }) };
}

// --- cleanup registration -------------------------------------------------------------------------

/** Stops a server for good; safe to call twice. */
type Stopper = () => Promise<unknown>;

const startedInTest: Stopper[] = [];
const startedOutsideTests: Stopper[] = [];
let inTest = false;

/** Stops what was registered, newest first (a second server on a first one's database stops before it). */
async function stopAll(stoppers: Stopper[]): Promise<void> {
  for (const stop of stoppers.splice(0).reverse()) await stop();
}

// Registered when a test file imports this module, so before the file's own hooks: Jest runs these
// first, and a child is gone before the file's afterAll drops the database it writes to.
beforeEach(() => void (inTest = true));
afterEach(async () => {
  inTest = false;
  await stopAll(startedInTest);
});
afterAll(() => stopAll(startedOutsideTests));

/**
 * Makes `stop` idempotent and registers it to run after the current test, or (with `outsideTests`)
 * after the file when started outside a test.
 */
function register(stop: Stopper, { outsideTests }: { outsideTests: boolean }): Stopper {
  let stopped: Promise<unknown> | undefined;
  const once = () => (stopped ??= stop());
  if (inTest) startedInTest.push(once);
  else if (outsideTests) startedOutsideTests.push(once);
  return once;
}

// --- in this process ------------------------------------------------------------------------------

/** A real server on a free port, over its own fresh database and file folder. */
export interface TestServer {
  app: App;
  database: TestDatabase;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** Stops the server, then drops the database (unless it was given) and the folder; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts the app in this process as `npm start` would, over a fresh test database (or `database`,
 * e.g. a first server's, which this one then leaves in place), with `logger` if given.
 */
export async function startTestServer(
  env: ServerEnv = {},
  options: { database?: TestDatabase; logger?: Logger } = {},
): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const folder = dataFolder({});
  const config = loadConfig(serverEnv({ database }, folder.dataDir, 'silent', env));
  const app = await startApp(config, options.logger ?? createLogger(config.logLevel));
  const close = register(
    async () => {
      await app.stop();
      if (!options.database) await database.drop();
      folder.remove();
    },
    { outsideTests: false },
  );
  return {
    app,
    database,
    url: app.server.url,
    wsUrl: app.server.url.replace(/^http/, 'ws'),
    dataDir: folder.dataDir,
    close: async () => void (await close()),
  };
}

// --- as a child process ---------------------------------------------------------------------------

/** A real `npm start` process (node dist/src/main.js) and what it printed so far. */
export interface ServerProcess {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /**
   * Resolves with the GraphQL URL once the banner is printed; rejects if the process exits first or
   * stops making progress (see `progress`) before it.
   */
  ready(): Promise<string>;
  /** Resolves with the exit code once the process exited, by the same stall rule as `ready`. */
  exit(): Promise<number | null>;
  /** Sends SIGTERM, then `exit()`. */
  stop(): Promise<number | null>;
  /** SIGKILL, for cleanup after a failure; does nothing once exited. */
  kill(): void;
  /** Whether the process has ended, by an exit or a signal (from the test or from outside). */
  ended(): boolean;
  /**
   * How much the process has done: CPU time of it and its children (an embedded PostgreSQL, initdb)
   * plus what it printed. A loaded machine slows it; only a stuck process stops it.
   */
  progress(): number;
}

/**
 * Starts `npm start`'s entry point with the test environment, `place` and `env` on top of this
 * process's environment. Nothing waits here: `ready()`, `exit()` or `stop()` do, by progress.
 */
export function startServerProcess(env: ServerEnv = {}, place: ServerPlace = {}): ServerProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
  const folder = dataFolder(place);
  const child = spawn(process.execPath, [MAIN], {
    env: { ...process.env, ...serverEnv(place, folder.dataDir, 'warn', env) },
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  void exited.then(() => folder.remove());
  const progress = () => processTreeWork(child.pid) + output.stdout.length + output.stderr.length;
  const waitOptions = (what: string): WaitOptions<number> => ({ what: `${what} (pid ${child.pid})`, progress });
  const ended = () => child.exitCode !== null || child.signalCode !== null;
  const ready = async (): Promise<string> => {
    await waitFor(() => bannerUrl(output.stdout) !== undefined || ended(), waitOptions('the server banner'));
    const url = bannerUrl(output.stdout);
    if (!url) throw new Error(`exited with ${child.exitCode ?? child.signalCode}: ${output.stderr}`);
    return url;
  };
  const kill = () => void (!ended() && child.kill('SIGKILL'));
  const exit = () => settles(exited, waitOptions('the server process to exit'));
  register(
    async () => {
      killProcessTree(child.pid);
      await exited;
    },
    { outsideTests: true },
  );
  return {
    child,
    output,
    exited,
    ready,
    exit,
    stop: () => {
      child.kill('SIGTERM');
      return exit();
    },
    kill,
    ended,
    progress,
  };
}

/** The GraphQL URL of a complete banner (`GraphQL: <url>` without the playground), or undefined. */
function bannerUrl(stdout: string): string | undefined {
  const url = /GraphQL(?: \+ playground)?: (\S+)/.exec(stdout)?.[1];
  return url && stdout.includes('more tokens') ? url : undefined;
}
