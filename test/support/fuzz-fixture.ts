import {
  ActivateDeletionDocument,
  CreateObjectDocument,
  MarkForDeletionDocument,
  NotificationsDocument,
  ObjectType,
} from '../../operations/generated';
import { mustRequest } from './clients';
import { archivedObjects, Ref } from './deletion';
import { createWorkspace, TestUser } from './fixtures';
import { TestServer } from './servers';

const TYPES: ObjectType[] = ['CONTACT', 'ACTIVITY', 'OBJECT', 'DEAL', 'TASK', 'EMAIL', 'CALL'];

/** Who a fuzz case is sent as. */
export type Caller = 'admin' | 'member' | 'other admin' | 'anonymous' | 'bad token' | 'not bearer';

/** Each caller's Authorization header (none when undefined). */
type Callers = Record<Caller, string | undefined>;

/** The data every fuzz case runs against, and the real ids the generator mixes into its input. */
export interface FuzzFixture {
  callers: Callers;
  admin: TestUser;
  knownIds: string[];
}

/**
 * Two workspaces. In the first, a deletion is PENDING (so the pending-deletion paths run: its
 * objects, the overview, cancel) with its notifications; in the second, archived objects are
 * not marked, so activating there is refused (an empty selection) rather than executed. Both have
 * active and archived objects of every type, some with an attachment.
 */
export async function createFuzzFixture(server: TestServer): Promise<FuzzFixture> {
  const { url } = server;
  const [pending, idle] = await Promise.all([
    createWorkspace(server.database.db, 1, 1),
    createWorkspace(server.database.db, 1, 1),
  ]);
  const ids: string[] = [];
  for (const ws of [pending, idle]) {
    for (const type of TYPES) {
      const status = type === 'TASK' ? 'REMOVED' : undefined;
      const refs = await archivedObjects(url, ws.members[0], type, 2, { status, bytes: 64 });
      const active = await mustRequest(
        url,
        CreateObjectDocument,
        { input: { type, title: 'active' } },
        ws.admins[0].token,
      );
      ids.push(...refs.map((ref) => ref.id), active.createObject.id);
      if (ws === pending) await mark(url, ws.admins[0], refs);
    }
  }
  const deletion = await mustRequest(url, ActivateDeletionDocument, {}, pending.admins[0].token);
  const inbox = await mustRequest(url, NotificationsDocument, {}, pending.admins[0].token);
  ids.push(deletion.activateDeletion.id, ...inbox.notifications.edges.map((edge) => edge.node.id));
  ids.push(...[pending, idle].flatMap((ws) => [...ws.admins, ...ws.members].map((user) => user.id)));
  return {
    callers: {
      admin: `Bearer ${pending.admins[0].token}`,
      member: `Bearer ${pending.members[0].token}`,
      'other admin': `Bearer ${idle.admins[0].token}`,
      anonymous: undefined,
      'bad token': `Bearer ${pending.admins[0].token.slice(0, -4)}AAAA`,
      'not bearer': 'Basic Zm9vOmJhcg==',
    },
    admin: pending.admins[0],
    knownIds: ids,
  };
}

async function mark(url: string, admin: TestUser, refs: Ref[]): Promise<void> {
  await mustRequest(url, MarkForDeletionDocument, { refs }, admin.token);
}
