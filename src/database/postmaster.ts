import { readFileSync } from 'node:fs';
import path from 'node:path';
import { StartError } from '../startup';

/** A PostgreSQL that is running on a data folder, and the process that started it when known. */
interface RunningPostmaster {
  pid: number;
  /** The process that started it; undefined when it is gone (the PostgreSQL was orphaned) or unknown. */
  parentPid: number | undefined;
}

/**
 * The PostgreSQL running on `dataFolder`, read from the lock file every postmaster keeps there.
 * A lock file whose process is gone is stale (a crash): PostgreSQL itself starts over it.
 */
function runningPostmaster(dataFolder: string): RunningPostmaster | undefined {
  let lockFile: string;
  try {
    lockFile = readFileSync(path.join(dataFolder, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(lockFile.split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, parentPid: parentOf(pid) };
}

/**
 * Throws a StartError naming who holds `dataFolder` when a PostgreSQL runs on it: starting a
 * second one there fails, and PostgreSQL's own refusal reached us only as a bare rejection.
 */
export function assertDataFolderFree(dataFolder: string): void {
  const running = runningPostmaster(dataFolder);
  if (!running) return;
  throw new StartError(
    running.parentPid
      ? `the embedded database in ${dataFolder} is in use by another crm-archive (pid ${running.parentPid}): stop it or set DATA_DIR`
      : `the embedded database in ${dataFolder} is in use by a PostgreSQL (pid ${running.pid}) whose crm-archive is gone: stop it (kill ${running.pid}) or set DATA_DIR`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user (the postgres OS user, when we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The parent's pid from /proc (Linux); undefined elsewhere, or when init adopted the orphan. */
function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (command) state ppid …": the command may hold spaces and parentheses, so read after the last ")".
    const parentPid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return parentPid > 1 ? parentPid : undefined;
  } catch {
    return undefined;
  }
}
