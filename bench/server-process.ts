import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A server running as its own process, so its CPU time can be read apart from the load generator's. */
export interface ServerProcess {
  name: string;
  url: string;
  /** The process id, to read its memory from /proc. */
  pid: number;
  /** CPU time (user + system) the process has used so far, in milliseconds. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat's times: 100 on every Linux this runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** This build's `npm start` entry. */
export function ourServerEntry(): string {
  return path.join(__dirname, '..', 'src', 'main.js');
}

/** BENCH_BEFORE: a built checkout of another commit (e.g. main before the fixes), measured beside ours. */
export function beforeServerEntry(): string | undefined {
  const checkout = process.env.BENCH_BEFORE;
  return checkout ? path.join(path.resolve(checkout), 'dist', 'src', 'main.js') : undefined;
}

/** The minimal graphql-js server of the same build, beside this file. */
export function minimalServerEntry(): string {
  return path.join(__dirname, 'minimal-server.js');
}

/** The PostGraphile v4 server of goal 6, beside this file. */
export function postgraphileServerEntry(): string {
  return path.join(__dirname, 'postgraphile-server.js');
}

/**
 * Starts `node <entry>` with `env` and resolves once it prints its GraphQL URL; its output is
 * read and dropped from then on (our server logs a line per request, as in production).
 */
export async function startServerProcess(
  name: string,
  entry: string,
  env: Record<string, string>,
  nodeOptions: string[] = [],
): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeOptions, entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/[^\s]+\/graphql)/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before serving:\n${output}`)));
  });
  child.stdout!.removeAllListeners('data').resume();
  child.stderr!.removeAllListeners('data').resume();
  return {
    name,
    url,
    pid: child.pid!,
    cpuMs: () => cpuMsOf(child),
    stop: async () => {
      child.kill('SIGTERM');
      const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(forced);
    },
  };
}

function cpuMsOf(child: ChildProcess): number {
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  // Fields after the command name in parentheses: utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}
