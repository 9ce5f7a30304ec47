import DataLoader from 'dataloader';
import { UserRow } from '../domain-types';

/**
 * Reads users as the database has them now, batching the reads asked in one turn of the event loop
 * into one statement: thousands of sockets connecting at once would otherwise queue a read each.
 * The batch goes out at setImmediate, after every socket event of this poll phase (DataLoader's
 * default, the next tick, would end it after each one). No cache: every call reads the row as it is
 * now. One per process, made in the wiring (services.ts) and shared by the token check and the sockets.
 */
export class CurrentUserReader {
  private readonly reads: DataLoader<string, UserRow | null>;

  constructor(byIds: (ids: readonly string[]) => Promise<(UserRow | null)[]>) {
    this.reads = new DataLoader(byIds, { cache: false, batchScheduleFn: (dispatch) => setImmediate(dispatch) });
  }

  /** The user `id` as the database has them now (null when deleted), read with the others of this tick. */
  read(id: string): Promise<UserRow | null> {
    return this.reads.load(id);
  }
}
