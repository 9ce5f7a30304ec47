import { Database, Sql } from '../../src/database/database';
import { Role } from '../../src/domain/domain-types';
import { AuthService } from '../../src/domain/identity/auth.service';
import { TEST_JWT_SECRET } from './servers';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  token: string;
}

export interface TestWorkspace {
  id: string;
  admins: TestUser[];
  members: TestUser[];
}

let counter = 0;

/** Inserts a workspace with `admins` administrators and `members` members, each with a token. */
export async function createWorkspace(db: Sql, admins = 2, members = 2): Promise<TestWorkspace> {
  const auth = new AuthService(db, TEST_JWT_SECRET);
  const workspace = await db.one<{ id: string }>(
    `INSERT INTO workspaces (name) VALUES ('ws ${++counter}') RETURNING id`,
  );
  const make = async (role: Role, n: number): Promise<TestUser> => {
    const email = `${role.toLowerCase()}${n}-${counter}-${Math.random().toString(36).slice(2, 8)}@test.example`;
    const row = await db.one<{ id: string }>(
      'INSERT INTO users (workspace_id, name, email, role) VALUES ($1, $2, $3, $4) RETURNING id',
      [workspace!.id, `${role} ${n}`, email, role],
    );
    return { id: row!.id, email, role, token: auth.sign(row!.id) };
  };
  const adminUsers = await Promise.all(Array.from({ length: admins }, (_, n) => make(Role.ADMIN, n)));
  const memberUsers = await Promise.all(Array.from({ length: members }, (_, n) => make(Role.MEMBER, n)));
  return { id: workspace!.id, admins: adminUsers, members: memberUsers };
}

/**
 * Changes a user's row without the `users_changes` trigger's NOTIFY, so a server's user cache still
 * holds the old row: what a request sees in the moment before the NOTIFY arrives.
 */
export async function changeUnheard(db: Database, user: TestUser, change: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.rows('SET LOCAL session_replication_role = replica');
    await tx.rows(`UPDATE users SET ${change} WHERE id = $1`, [user.id]);
  });
}
