import { AppError, ErrorCode } from '../errors';
import type { Context } from '../server/context';
import { isStillMember, noLongerMember, requireUser } from '../server/context';
import { createLoaders, Loaders } from '../server/loaders';
import { Role } from '../services/domain-types';
import type { DeletionEventMessage } from '../services/deletion-events';
import { DeletionRow } from '../services/deletion-row';
import { Services } from '../services/services';
import type { Deletion } from './deletion.type';

/** What every subscriber of one message shares: its deletion, read once, and one set of loaders. */
export interface Delivery {
  /** Read on first call only: a promise nobody awaits would reject unhandled when the read fails. */
  deletion(): Promise<DeletionRow | null>;
  loaders: Loaders;
}

// Every subscriber of one message is (or was, when it subscribed) an admin of the message's
// workspace, so they may share what is read for it: the deletion once, and users (the
// subscribers' current rows, the actor, who activated) in one batch through shared loaders.
// The loaders are new for each message, so nothing cached outlives the event it was read for.
const deliveries = new WeakMap<DeletionEventMessage, Delivery>();

/** The shared reads of `message`, started by its first subscriber. */
export function deliveryOf(services: Services, message: DeletionEventMessage): Delivery {
  let delivery = deliveries.get(message);
  if (!delivery) {
    let deletion: Promise<DeletionRow | null> | undefined;
    delivery = {
      deletion: () => (deletion ??= readDeletion(services, message)),
      loaders: createLoaders(services),
    };
    deliveries.set(message, delivery);
  }
  return delivery;
}

/** The message's deletion with its volumes (Deletion.volumes), so its fields need no further read. */
async function readDeletion(services: Services, message: DeletionEventMessage): Promise<DeletionRow | null> {
  const [row] = await services.deletions.byIds(message.workspaceId, [message.deletionId]);
  if (!row) return null;
  const [volumes] = await services.deletions.volumesByIds([row.id]);
  const withVolumes: DeletionRow & Pick<Deletion, 'volumes'> = { ...row, volumes };
  return withVolumes;
}

/**
 * Whether a subscriber gets `message`, decided before anything of it is read for them, whatever
 * their subscription selects. Other workspaces' messages are skipped. The subscriber's row is read
 * again for every message, in one statement with every other subscriber of it on this instance
 * (and its actor, which most selections ask for next): a user deleted or moved to another
 * workspace since has the socket closed with 4401; one no longer an admin gets FORBIDDEN, which
 * ends the subscription (graphql-ws sends it as the subscription's `error` message).
 */
export async function admitEvent(context: Context, message: DeletionEventMessage): Promise<boolean> {
  const subscriber = requireUser(context);
  if (message.workspaceId !== subscriber.workspaceId) return false;
  const { users } = deliveryOf(context.services, message).loaders;
  const [now] = await Promise.all([users.load(subscriber.id), message.actorId ? users.load(message.actorId) : null]);
  if (!isStillMember(subscriber, now)) {
    context.endSession?.();
    throw noLongerMember();
  }
  if (now.role !== Role.ADMIN) {
    throw new AppError(ErrorCode.FORBIDDEN, 'You are no longer an admin: deletion events have stopped.');
  }
  return true;
}
