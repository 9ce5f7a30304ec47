import { Authorized, Ctx, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../server/context';
import { requireUser } from '../server/context';
import { createLoaders, Loaders } from '../server/loaders';
import { AppError, ErrorCode } from '../errors';
import { Role } from '../services/auth.service';
import { DELETION_EVENTS_TOPIC } from '../services/deletion-events';
import type { DeletionEventMessage } from '../services/deletion-events';
import { DeletionRow } from '../services/deletion.service';
import { Services } from '../services/services';
import { asDeletion, Deletion } from './deletion.type';
import { DeletionEvent } from './deletion-event.type';
import { User } from './user.type';

/** What every subscriber of one message shares: its deletion, read once, and one set of loaders. */
interface Delivery {
  /** Read on first call only: a promise nobody awaits would reject unhandled when the read fails. */
  deletion(): Promise<DeletionRow | null>;
  loaders: Loaders;
}

// Every subscriber of one message is (or was, when it subscribed) an admin of the message's
// workspace, so they may share what is read for it: the deletion once, and users (the
// subscribers' current roles, the actor, who activated) in one batch through shared loaders.
// The loaders are new for each message, so nothing cached outlives the event it was read for.
const deliveries = new WeakMap<DeletionEventMessage, Delivery>();

function deliveryOf(services: Services, message: DeletionEventMessage): Delivery {
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

/** Live deletion events (DESIGN §2 rule 10, §4): admins of the message's workspace only. */
@Resolver(() => DeletionEvent)
export class DeletionEventResolver {
  @Authorized(Role.ADMIN)
  @Subscription(() => DeletionEvent, {
    topics: DELETION_EVENTS_TOPIC,
    filter: ({ payload, context }: { payload: DeletionEventMessage; context: Context }) =>
      context.viewer.user?.role === Role.ADMIN && payload.workspaceId === context.viewer.user.workspaceId,
    description:
      'Deletions of your workspace as they are activated, cancelled, progress, complete or fail. Admins only.',
  })
  deletionEvents(@Root() message: DeletionEventMessage, @Ctx() context: Context): DeletionEvent {
    // A subscription keeps one context for its whole life; each event uses its message's loaders.
    // Events of one subscription are executed one after the other, so this never swaps loaders
    // under a running event.
    context.loaders = deliveryOf(context.services, message).loaders;
    return {
      type: message.type,
      occurredAt: new Date(message.occurredAt),
      message,
    } as DeletionEvent;
  }

  @FieldResolver(() => Deletion)
  async deletion(@Root() event: DeletionEvent, @Ctx() context: Context): Promise<Deletion> {
    const delivery = deliveryOf(context.services, event.message);
    // The role was checked at subscribe time; read it again, so an admin demoted (or removed)
    // while connected stops receiving deletions at the next event.
    const subscriber = await delivery.loaders.users.load(requireUser(context).id);
    if (subscriber?.role !== Role.ADMIN || subscriber.workspaceId !== event.message.workspaceId) {
      throw new AppError(ErrorCode.FORBIDDEN, 'Only admins of the workspace receive its deletion events.');
    }
    const row = await delivery.deletion();
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Deletion ${event.message.deletionId} no longer exists.`);
    return asDeletion(row);
  }

  @FieldResolver(() => User, { nullable: true })
  async actor(@Root() event: DeletionEvent, @Ctx() context: Context): Promise<User | null> {
    return event.message.actorId ? context.loaders.users.load(event.message.actorId) : null;
  }
}
