import { Sql } from '../../database/database';
import { USER_COLUMNS, usersByIds } from './auth.service';
import { CurrentUserReader } from './current-user-reader';
import { UserRow } from '../domain-types';
import { deletionAudienceRole } from '../policy';

/** Reads users; every read is scoped by the caller's workspace where it comes from a request. */
export class UserService {
  constructor(
    private readonly db: Sql,
    private readonly currentUsers = new CurrentUserReader((ids) => usersByIds(db, ids)),
  ) {}

  /**
   * A user as the database has them now (null when deleted). The reads asked in one tick go in one
   * statement: thousands of sockets reconnecting or subscribing at once do not queue thousands of them.
   */
  current(id: string): Promise<UserRow | null> {
    return this.currentUsers.read(id);
  }

  /** Users by id, in the order asked (null where missing); the DataLoader batch function. */
  byIds(ids: readonly string[]): Promise<(UserRow | null)[]> {
    return usersByIds(this.db, ids);
  }

  /** The administrators of a workspace: who gets deletion notifications. */
  admins(db: Sql, workspaceId: string): Promise<UserRow[]> {
    return db.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE workspace_id = $1 AND role = $2`, [
      workspaceId,
      deletionAudienceRole(),
    ]);
  }

  byEmail(email: string): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  }
}
