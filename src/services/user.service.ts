import { Sql } from '../database/database';
import { USER_COLUMNS } from './auth.service';
import { Role, UserRow } from './domain-types';

/** Reads users; every read is scoped by the caller's workspace where it comes from a request. */
export class UserService {
  constructor(private readonly db: Sql) {}

  /** Users by id, in the order asked (null where missing); the DataLoader batch function. */
  async byIds(ids: readonly string[]): Promise<(UserRow | null)[]> {
    const rows = await this.db.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** The administrators of a workspace: who gets deletion notifications. */
  admins(db: Sql, workspaceId: string): Promise<UserRow[]> {
    return db.rows<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE workspace_id = $1 AND role = $2`, [
      workspaceId,
      Role.ADMIN,
    ]);
  }

  byEmail(email: string): Promise<UserRow | undefined> {
    return this.db.one<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE lower(email) = lower($1)`, [email]);
  }
}
