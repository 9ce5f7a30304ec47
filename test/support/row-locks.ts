import { Client } from 'pg';
import { Sql } from '../../src/database/database';
import { waitFor } from './wait-for';

/** A transaction left open on its own connection, so a test can hold locks at a known point. */
export interface OpenTransaction {
  /** The backend's pid, to find who waits on it in pg_stat_activity. */
  pid: number;
  /** The transaction as the app's `Sql`, so real app statements (e.g. the executor's claim) run inside it. */
  sql: Sql;
  commit(): Promise<void>;
  /** Rolls back (if still open) and disconnects; safe to call in afterEach after commit. */
  close(): Promise<void>;
}

/** Opens a transaction on a new connection to `url`. */
export async function openTransaction(url: string): Promise<OpenTransaction> {
  const client = new Client({ connectionString: url });
  await client.connect();
  let open = true;
  let ended = false;
  await client.query('BEGIN');
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  const rows = async <T extends object>(text: string, params: unknown[] = []): Promise<T[]> =>
    (await client.query(text, params)).rows as T[];
  const one = async <T extends object>(text: string, params?: unknown[]): Promise<T | undefined> =>
    (await rows<T>(text, params))[0];
  return {
    pid,
    sql: { rows, one },
    commit: async () => {
      open = false;
      await client.query('COMMIT');
    },
    close: async () => {
      if (ended) return;
      ended = true;
      if (open) await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    },
  };
}

/** Resolves with the pid of a backend waiting on a lock `holderPid` holds: proof it reached that point. */
export async function waitForWaiterOf(db: Sql, holderPid: number, what: string): Promise<number> {
  let waiter: number | undefined;
  await waitFor(
    async () => {
      const row = await db.one<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) LIMIT 1',
        [holderPid],
      );
      waiter = row?.pid;
      return waiter !== undefined;
    },
    { what },
  );
  return waiter!;
}

/** Resolves once some statement waits on a lock `holder` holds. */
export async function waitUntilBlockedBy(db: Sql, holder: OpenTransaction, what: string): Promise<void> {
  await waitForWaiterOf(db, holder.pid, what);
}
