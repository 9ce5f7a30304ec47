import { AppError, ErrorCode } from '../errors';
import type { Context } from './context';
import { isStillMember, noLongerMember, requireUser } from './context';
import { createLoaders, Loaders } from './loaders';
import { mayAttempt, Operation } from '../domain/policy';
import type { DeletionEventMessage } from '../domain/deletion/deletion-events';
import { DeletionRow } from '../domain/deletion/deletion-row';
import { LegalHoldRow } from '../domain/holds/legal-hold-row';
import { Services } from '../domain/services';
import type { Deletion } from './types/deletion.type';

/**
 * One received message and what every subscriber of it on this instance shares: its deletion,
 * read once, and one set of loaders (the subscribers' current rows, the actor, who activated are
 * read in one batch). It is built where the message is received and published as the payload,
 * so nothing about an event lives anywhere but in the event itself.
 */
export interface DeletionEventDelivery {
  message: DeletionEventMessage;
  /** Read on first call only: a promise nobody awaits would reject unhandled when the read fails. */
  deletion(): Promise<DeletionRow | null>;
  /** The event's legal hold (hold events only), read on first call only, like `deletion`. */
  hold(): Promise<LegalHoldRow | null>;
  /** New for each message, so nothing cached outlives the event it was read for. */
  loaders: Loaders;
  /** Whether one subscriber gets this event (`admitEvent`); their subscription group asks for each member. */
  admit(context: Context): Promise<boolean>;
}

/** The delivery of a message just received; nothing is read until a subscriber asks. */
export function createDeletionEventDelivery(services: Services, message: DeletionEventMessage): DeletionEventDelivery {
  let deletion: Promise<DeletionRow | null> | undefined;
  let hold: Promise<LegalHoldRow | null> | undefined;
  const delivery: DeletionEventDelivery = {
    message,
    deletion: () => (deletion ??= readDeletion(services, message)),
    hold: () => (hold ??= readHold(services, message)),
    loaders: createLoaders(services),
    admit: (context) => admitEvent(context, delivery),
  };
  return delivery;
}

/** The message's deletion with its volumes (Deletion.volumes), so its fields need no further read. */
async function readDeletion(services: Services, message: DeletionEventMessage): Promise<DeletionRow | null> {
  if (!message.deletionId) return null;
  const [row] = await services.deletions.byIds(message.workspaceId, [message.deletionId]);
  if (!row) return null;
  const [volumes] = await services.deletions.volumesByIds([row.id]);
  const withVolumes: DeletionRow & Pick<Deletion, 'volumes'> = { ...row, volumes };
  return withVolumes;
}

/** The message's legal hold, read in the event's workspace only. */
async function readHold(services: Services, message: DeletionEventMessage): Promise<LegalHoldRow | null> {
  if (!message.holdId) return null;
  const [row] = await services.holds.byIds(message.workspaceId, [message.holdId]);
  return row;
}

/** Whether an event is of the subscriber's workspace; the others never reach their subscription. */
export function inSubscriberWorkspace(context: Context, delivery: DeletionEventDelivery): boolean {
  return delivery.message.workspaceId === requireUser(context).workspaceId;
}

/**
 * Whether a subscriber gets an event, decided before anything of it is read for them, whatever
 * their subscription selects. Other workspaces' events are skipped. The subscriber's row is read
 * again for every event, in one statement with every other subscriber of it on this instance
 * (and its actor, which most selections ask for next) through the delivery's shared loaders: a
 * user deleted or moved to another workspace since has the socket closed with 4401; one no longer
 * an admin gets FORBIDDEN, which ends the subscription (graphql-ws sends it as its `error` message).
 */
async function admitEvent(context: Context, delivery: DeletionEventDelivery): Promise<boolean> {
  const { message, loaders } = delivery;
  const subscriber = requireUser(context);
  if (!inSubscriberWorkspace(context, delivery)) return false;
  const [now] = await Promise.all([
    loaders.users.load(subscriber.id),
    message.actorId ? loaders.users.load(message.actorId) : null,
  ]);
  if (!isStillMember(subscriber, now)) {
    context.endSession?.();
    throw noLongerMember();
  }
  if (!mayAttempt(now, Operation.RECEIVE_DELETION_EVENTS)) {
    throw new AppError(ErrorCode.FORBIDDEN, 'You are no longer an admin: deletion events have stopped.');
  }
  return true;
}
