import { readdirSync, readFileSync } from 'node:fs';

// Linux only, as the suite already is: /proc is where a process's command line and CPU time are.

/** Whether a process with this pid exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The numeric entries of /proc: every process's pid. */
function pids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** A file of /proc/<pid>, or undefined once the process is gone. */
function procFile(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The pids of the processes whose command line names `folder`: an embedded PostgreSQL runs as
 * `postgres -D <folder>`, and its lock file is gone once it stopped.
 */
export function processesUsing(folder: string): number[] {
  return pids().filter((pid) => procFile(pid, 'cmdline')?.split('\0').includes(folder));
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

/** Parent pid and CPU ticks (own and of reaped children) from /proc/<pid>/stat. */
function stat(pid: number): { ppid: number; ticks: number } | undefined {
  const text = procFile(pid, 'stat');
  if (!text) return undefined;
  // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): ppid is field 4, utime/stime/cutime/cstime are fields 14 to 17.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return { ppid: Number(fields[1]), ticks };
}

/** `pid` and every process below it (initdb, an embedded PostgreSQL …), with their /proc stats. */
function processTree(pid: number): Map<number, { ppid: number; ticks: number }> {
  const stats = new Map(pids().map((each) => [each, stat(each)] as const));
  const tree = new Map<number, { ppid: number; ticks: number }>();
  const root = stats.get(pid);
  if (!root) return tree;
  tree.set(pid, root);
  // Parents may be listed after their children: sweep until the tree stops growing.
  for (let grew = true; grew;) {
    grew = false;
    for (const [each, info] of stats) {
      if (!info || tree.has(each) || !tree.has(info.ppid)) continue;
      tree.set(each, info);
      grew = true;
    }
  }
  return tree;
}

/**
 * CPU ticks used so far by `pid` and every process below it: work done, which a loaded machine
 * slows but only a stuck process stops. 0 once it is gone.
 */
export function processTreeWork(pid: number | undefined): number {
  if (pid === undefined) return 0;
  return [...processTree(pid).values()].reduce((sum, { ticks }) => sum + ticks, 0);
}

/**
 * SIGKILLs `pid` and every process below it, for cleanup after a failed test: killed alone, a
 * server would leave its embedded PostgreSQL running, orphaned.
 */
export function killProcessTree(pid: number | undefined): void {
  if (pid === undefined) return;
  // Listed before any is killed: a killed parent's children are handed to init and leave its tree.
  for (const each of processTree(pid).keys()) {
    try {
      process.kill(each, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
