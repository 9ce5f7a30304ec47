import { Sql } from '../database/database';
import { AppError, ErrorCode } from '../errors';
import { activeDeletion } from './deletion/deletion-row';
import { isCancellable } from './deletion/deletion-status';
import { Role, UserRow } from './domain-types';

// Who may do what, in one place (docs/rules.md, rules 1–4, 6–7, 12): the only module that compares
// a user's role, or a user with the owner of what they act on. Services, resolvers and routes ask
// it; SQL that must filter (a member's archive list) takes its parameters from it.

/** Everything a viewer may ask to do; each has one rule below. */
export enum Operation {
  ARCHIVE = 'ARCHIVE',
  RESTORE = 'RESTORE',
  SET_TASK_STATUS = 'SET_TASK_STATUS',
  VIEW_OBJECT = 'VIEW_OBJECT',
  UPLOAD_ATTACHMENT = 'UPLOAD_ATTACHMENT',
  DOWNLOAD_ATTACHMENT = 'DOWNLOAD_ATTACHMENT',
  MARK = 'MARK',
  UNMARK = 'UNMARK',
  ACTIVATE = 'ACTIVATE',
  CANCEL = 'CANCEL',
  VIEW_OVERVIEW = 'VIEW_OVERVIEW',
  VIEW_HISTORY = 'VIEW_HISTORY',
  VIEW_DELETION = 'VIEW_DELETION',
  VIEW_DELETION_OBJECTS = 'VIEW_DELETION_OBJECTS',
  RECEIVE_DELETION_EVENTS = 'RECEIVE_DELETION_EVENTS',
  EXPORT = 'EXPORT',
  READ_SETTINGS = 'READ_SETTINGS',
  UPDATE_SETTINGS = 'UPDATE_SETTINGS',
  MARK_NOTIFICATIONS_READ = 'MARK_NOTIFICATIONS_READ',
  PLACE_LEGAL_HOLD = 'PLACE_LEGAL_HOLD',
  RELEASE_LEGAL_HOLD = 'RELEASE_LEGAL_HOLD',
  VIEW_LEGAL_HOLDS = 'VIEW_LEGAL_HOLDS',
  VIEW_PROVISIONING_CHANGES = 'VIEW_PROVISIONING_CHANGES',
}

/** A policy's answer; NOT_FOUND where telling "exists but not yours" would leak (rule 12). */
export enum Decision {
  ALLOWED = 'ALLOWED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
}

/**
 * What an operation acts on: its workspace and, where it has one, its owner (an object's creator,
 * a notification's recipient) and whether it is archived. Workspace-wide operations (activate,
 * the overview, the settings …) act on the caller's workspace.
 */
export interface Target {
  workspaceId: string;
  ownerId?: string | null;
  archived?: boolean;
}

/**
 * How each operation is decided once the target is known:
 * - admin: admins only, refused before anything is read;
 * - ownerOrAdmin: the owner or an admin, others FORBIDDEN (rules 1, 2);
 * - visible: everyone sees active objects, of archived ones a member only their own, the rest hidden (rule 12);
 * - anyone: any user of the workspace;
 * - recipient: the owner only, anyone else's hidden, admins included.
 */
type Rule = 'admin' | 'ownerOrAdmin' | 'visible' | 'anyone' | 'recipient';

const RULES: Record<Operation, Rule> = {
  [Operation.ARCHIVE]: 'ownerOrAdmin',
  [Operation.RESTORE]: 'ownerOrAdmin',
  [Operation.SET_TASK_STATUS]: 'ownerOrAdmin',
  [Operation.VIEW_OBJECT]: 'visible',
  [Operation.UPLOAD_ATTACHMENT]: 'anyone',
  [Operation.DOWNLOAD_ATTACHMENT]: 'visible',
  [Operation.MARK]: 'admin',
  [Operation.UNMARK]: 'admin',
  [Operation.ACTIVATE]: 'admin',
  [Operation.CANCEL]: 'admin',
  [Operation.VIEW_OVERVIEW]: 'admin',
  [Operation.VIEW_HISTORY]: 'admin',
  [Operation.VIEW_DELETION]: 'admin',
  [Operation.VIEW_DELETION_OBJECTS]: 'admin',
  [Operation.RECEIVE_DELETION_EVENTS]: 'admin',
  [Operation.EXPORT]: 'admin',
  [Operation.READ_SETTINGS]: 'admin',
  [Operation.UPDATE_SETTINGS]: 'admin',
  [Operation.MARK_NOTIFICATIONS_READ]: 'recipient',
  [Operation.PLACE_LEGAL_HOLD]: 'admin',
  [Operation.RELEASE_LEGAL_HOLD]: 'admin',
  [Operation.VIEW_LEGAL_HOLDS]: 'admin',
  [Operation.VIEW_PROVISIONING_CHANGES]: 'admin',
};

/** Whether the user administers their workspace; the role is the stored one, never a token's. */
function isAdmin(user: UserRow): boolean {
  return user.role === Role.ADMIN;
}

/** Whether `user` may attempt `operation` at all, before its target is read (the role gate). */
export function mayAttempt(user: UserRow | null | undefined, operation: Operation): boolean {
  return !!user && (RULES[operation] !== 'admin' || isAdmin(user));
}

/**
 * The creator an archived object must have for `user` to see it: null when any will do (admins),
 * the user's own id for members. The archive lists put it into their SQL (rule 12).
 */
export function visibleArchivedCreator(user: UserRow): string | null {
  return isAdmin(user) ? null : user.id;
}

/** The role whose users are told of deletions (persistent notifications): those who may manage them. */
export function deletionAudienceRole(): Role {
  return Role.ADMIN;
}

/** The recipient a notification must have for `user` to read or mark it: always the user. */
export function notificationRecipient(user: UserRow): string {
  return user.id;
}

/** Whether `user` may change an object created by `creatorId` (archive, restore, task status). */
function mayChangeObject(user: UserRow, creatorId: string | null | undefined): boolean {
  return creatorId === user.id || isAdmin(user);
}

/** "May this viewer do this to that": the role gate, then the workspace, then the operation's rule. */
export function decide(user: UserRow, operation: Operation, target: Target): Decision {
  if (!mayAttempt(user, operation)) return Decision.FORBIDDEN;
  // Another workspace's rows are never read on a user's behalf: to them, they do not exist.
  if (target.workspaceId !== user.workspaceId) return Decision.NOT_FOUND;
  switch (RULES[operation]) {
    case 'admin':
    case 'anyone':
      return Decision.ALLOWED;
    case 'ownerOrAdmin':
      return mayChangeObject(user, target.ownerId) ? Decision.ALLOWED : Decision.FORBIDDEN;
    case 'visible': {
      const creator = visibleArchivedCreator(user);
      const hidden = !!target.archived && creator !== null && target.ownerId !== creator;
      return hidden ? Decision.NOT_FOUND : Decision.ALLOWED;
    }
    case 'recipient':
      return target.ownerId === notificationRecipient(user) ? Decision.ALLOWED : Decision.NOT_FOUND;
  }
}

/** Whether `decide` allows it; for answers that are shown or left out rather than refused. */
export function can(user: UserRow, operation: Operation, target: Target): boolean {
  return decide(user, operation, target) === Decision.ALLOWED;
}

/** FORBIDDEN unless the user may attempt `operation`; `what` completes "Only admins may …". */
export function requireMayAttempt(user: UserRow, operation: Operation, what = 'do this'): void {
  if (!mayAttempt(user, operation)) throw onlyAdmins(what);
}

/** FORBIDDEN unless the user is an admin of their workspace; `what` completes "Only admins may …". */
export function requireAdmin(user: UserRow, what: string): void {
  if (!isAdmin(user)) throw onlyAdmins(what);
}

function onlyAdmins(what: string): AppError {
  return new AppError(ErrorCode.FORBIDDEN, `Only admins may ${what}.`);
}

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
