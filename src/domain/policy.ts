import { Sql } from '../database/database';
import { AppError, ErrorCode } from '../errors';
import { activeDeletion } from './deletion/deletion-row';
import { isCancellable } from './deletion/deletion-status';
import { Role, UserRow } from './domain-types';

// Who may do what, in one place: services call these before changing anything (docs/rules.md, rules 3–4, 6–7, 12).

/** Rule 4: while a deletion is pending or executing, the selection is frozen; the message says what to do. */
export async function refuseWhileActive(tx: Sql, workspaceId: string, action: string): Promise<void> {
  const active = await activeDeletion(tx, workspaceId);
  if (!active) return;
  throw new AppError(
    ErrorCode.CONFLICT,
    `Cannot ${action} while deletion ${active.id} is ${active.status}: wait for it to finish` +
      (isCancellable(active.status) ? ', or cancel it first.' : '.'),
    { deletionId: active.id, status: active.status },
  );
}

/** FORBIDDEN unless the user is an admin of their workspace; `what` completes "Only admins may …". */
export function requireAdmin(user: UserRow, what: string): void {
  if (user.role !== Role.ADMIN) throw new AppError(ErrorCode.FORBIDDEN, `Only admins may ${what}.`);
}
