import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** `npm start`'s entry point, built into dist/ by `npm test`'s pretest. */
export const MAIN = path.join(__dirname, '../../dist/src/main.js');

/** A real `npm start` process and what it printed so far. */
export interface MainProcess {
  child: ChildProcessWithoutNullStreams;
  output: { stdout: string; stderr: string };
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** Resolves with the GraphQL URL once the banner is printed; rejects if the process exits first. */
  ready: Promise<string>;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, for cleanup after a failure; does nothing once exited. */
  kill(): void;
}

/** Starts `node dist/src/main.js` with `env` on top of this process's environment. */
export function runMain(env: NodeJS.ProcessEnv): MainProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does).`);
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, ...env } });
  const output = { stdout: '', stderr: '' };
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const banner = new Promise<string>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      output.stdout += chunk.toString();
      // Without the playground (production) the banner reads `GraphQL: <url>`.
      const url = /GraphQL(?: \+ playground)?: (\S+)/.exec(output.stdout)?.[1];
      if (url && output.stdout.includes('more tokens')) resolve(url);
    }),
  );
  const failed = exited.then((code) => Promise.reject(new Error(`exited with ${code}: ${output.stderr}`)));
  const ready = Promise.race([banner, failed]);
  // Only raced against the banner: a later, normal exit must not surface as an unhandled rejection.
  ready.catch(() => undefined);
  return {
    child,
    output,
    exited,
    ready,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGKILL')),
  };
}

/** Whether a process with this pid exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The pids of the processes whose command line names `folder`: an embedded PostgreSQL runs as
 * `postgres -D <folder>`, and its lock file is gone once it stopped, so /proc is where to look (Linux).
 */
export function processesUsing(folder: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes(folder)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** SIGKILLs every process still using `folder` (cleanup after a failed test: no PostgreSQL outlives it). */
export function killProcessesUsing(folder: string): void {
  for (const pid of processesUsing(folder)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
