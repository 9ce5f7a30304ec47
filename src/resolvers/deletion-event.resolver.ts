import { Authorized, Ctx, FieldResolver, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../server/context';
import { AppError, ErrorCode } from '../errors';
import { Role } from '../services/auth.service';
import { DELETION_EVENTS_TOPIC } from '../services/deletion-events';
import type { DeletionEventMessage } from '../services/deletion-events';
import { DeletionRow } from '../services/deletion.service';
import { Services } from '../services/services';
import { asDeletion, Deletion } from './deletion.type';
import { DeletionEvent } from './deletion-event.type';
import { User } from './user.type';

// Every subscriber of one message is an admin of the message's workspace (see the filter), so the
// deletion is read once per message and shared: 200 subscribers cost two statements, not 400.
const deletionOfMessage = new WeakMap<DeletionEventMessage, Promise<DeletionRow | null>>();

/** The deletion of a message with its per-type figures, read on first delivery and shared by every subscriber. */
function resolveOnce(services: Services, message: DeletionEventMessage): Promise<DeletionRow | null> {
  let pending = deletionOfMessage.get(message);
  if (!pending) {
    pending = (async () => {
      const [row] = await services.deletions.byIds(message.workspaceId, [message.deletionId]);
      if (!row) return null;
      const [volumes] = await services.deletions.volumesByIds([row.id]);
      return { ...row, volumes };
    })();
    deletionOfMessage.set(message, pending);
  }
  return pending;
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
  deletionEvents(@Root() message: DeletionEventMessage): DeletionEvent {
    return {
      type: message.type,
      occurredAt: new Date(message.occurredAt),
      message,
    } as DeletionEvent;
  }

  @FieldResolver(() => Deletion)
  async deletion(@Root() event: DeletionEvent, @Ctx() context: Context): Promise<Deletion> {
    const row = await resolveOnce(context.services, event.message);
    if (!row) throw new AppError(ErrorCode.NOT_FOUND, `Deletion ${event.message.deletionId} no longer exists.`);
    return asDeletion(row);
  }

  @FieldResolver(() => User, { nullable: true })
  async actor(@Root() event: DeletionEvent, @Ctx() context: Context): Promise<User | null> {
    return event.message.actorId ? context.loaders.users.load(event.message.actorId) : null;
  }
}
