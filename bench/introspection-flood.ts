import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openBenchDatabase } from './bench-database';
import { introspectionCopies, typenameAliases } from './flood-documents';

/** A real `node dist/src/main.js` process and its URL. */
interface ServerProcess {
  child: ChildProcess;
  url: string;
}

/** Starts the server at `main` (any build: this one, or an older one to compare) and waits for its banner. */
async function startServer(main: string, databaseUrl: string, dataDir: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      PORT: '0',
      NODE_ENV: 'test',
      LOG_LEVEL: 'error',
      SCHEDULER_INTERVAL: '1h',
      JWT_SECRET: 'bench-secret-long-enough',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the server exited with ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /GraphQL \+ playground: (\S+)/.exec(stdout)?.[1];
      if (found && stdout.includes('more tokens')) resolve(found);
    });
  });
  return { child, url };
}

/** The process's peak resident size so far (`VmHWM` in /proc, Linux), in MB. */
function peakRssMb(pid: number): number {
  const line = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? NaN) / 1024;
}

/** POSTs a document on a connection of its own and resolves with the size of the answer in bytes. */
function postForBytes(url: string, query: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ query });
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } });
    req.on('response', (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => resolve(bytes));
      response.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls /healthz back to back until `done` settles; resolves with the slowest answer in ms. */
async function slowestHealthz(base: string, done: Promise<unknown>): Promise<number> {
  let finished = false;
  void done.finally(() => (finished = true));
  let slowest = 0;
  while (!finished) {
    const start = performance.now();
    await fetch(new URL('/healthz', base));
    slowest = Math.max(slowest, performance.now() - start);
  }
  return slowest;
}

/** Sends one anonymous document to a fresh server and measures what it costs the server. */
async function flood(main: string, databaseUrl: string, name: string, query: string): Promise<string> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'crm-archive-flood-'));
  const server = await startServer(main, databaseUrl, dataDir);
  try {
    await postForBytes(server.url, '{ __typename }');
    const peakBefore = peakRssMb(server.child.pid!);
    const start = performance.now();
    const answer = postForBytes(server.url, query);
    const healthz = await slowestHealthz(server.url, answer);
    const bytes = await answer;
    const ms = performance.now() - start;
    const growth = peakRssMb(server.child.pid!) - peakBefore;
    return [
      `${name} (${(query.length / 1024).toFixed(1)} KB):`,
      `${ms.toFixed(0)} ms, response ${(bytes / 1024).toFixed(1)} KB,`,
      `peak RSS +${growth.toFixed(0)} MB, slowest /healthz ${healthz.toFixed(0)} ms`,
    ].join(' ');
  } finally {
    if (server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * `npm run build && node dist/bench/introspection-flood.js [main.js]`: issue 9's two anonymous
 * documents against a real server process (this build's, or the `main.js` of another build, e.g.
 * one of main checked out elsewhere): time, response size, peak RSS growth, slowest /healthz.
 */
async function main(): Promise<void> {
  const server = path.resolve(process.argv[2] ?? path.join(__dirname, '../src/main.js'));
  const database = await openBenchDatabase();
  try {
    for (const [name, query] of [
      ['1,000 aliased __schema', introspectionCopies(1_000)],
      ['40,000 aliased __typename', typenameAliases(40_000)],
    ]) {
      process.stdout.write(`${await flood(server, database.url, name, query)}\n`);
    }
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
