import { UserRow } from '../domain-types';

/** The channel the `users_changes` trigger NOTIFYs a user's id on when their row changes or goes. */
export const USER_CHANGES_CHANNEL = 'crm_user_changes';

/** Most users one process keeps; past it the cache starts over (a process serves a few thousand). */
const MAX_CACHED_USERS = 10_000;

/**
 * The users that tokens name, kept between requests so that a request runs no statement to learn
 * who calls. It is only as good as the database's word: it keeps rows only while this process
 * LISTENs on USER_CHANGES_CHANNEL (`setLive(true)`), drops a user when a NOTIFY names them, and
 * drops everything when the LISTEN connection is lost, since a change could then pass unheard.
 * A row read while a change arrived may be the old one, so it is kept only if no change was heard
 * between its read and its answer (the generation). The lists also check the cached role in their
 * own statement (ObjectListService), so a demotion shows even in the instant before its NOTIFY.
 */
export class UserCache {
  private readonly rows = new Map<string, UserRow>();
  private live = false;
  private generation = 0;

  constructor(private readonly read: (id: string) => Promise<UserRow | null>) {}

  /** The user `id` if the cache holds them; nothing is read. */
  cached(id: string): UserRow | undefined {
    return this.rows.get(id);
  }

  /** The user `id`, from the cache or read (and kept while live); null when there is none. */
  async get(id: string): Promise<UserRow | null> {
    const cached = this.rows.get(id);
    if (cached) return cached;
    const generation = this.generation;
    const row = await this.read(id);
    if (row && this.live && generation === this.generation) {
      if (this.rows.size >= MAX_CACHED_USERS) this.rows.clear();
      this.rows.set(id, row);
    }
    return row;
  }

  /** The user `id` read now, past the cache, which then keeps the fresh row (a request found it stale). */
  async refresh(id: string): Promise<UserRow | null> {
    this.forget(id);
    return this.get(id);
  }

  /** Drops the user `id`: the database said their row changed. */
  forget(id: string): void {
    this.generation += 1;
    this.rows.delete(id);
  }

  /** Keeps rows from now on while `live` (LISTEN active); drops every row either way. */
  setLive(live: boolean): void {
    this.generation += 1;
    this.rows.clear();
    this.live = live;
  }
}
