import { map } from '@graphql-yoga/subscription';
import { createSourceEventStream, execute, ExecutionArgs, ExecutionResult } from 'graphql';
import { Context } from './context';
import { createLoaders, Loaders } from './loaders';

/** An event that carries the loaders every subscriber of it shares (a DeletionEventDelivery). */
interface EventWithLoaders {
  loaders: Loaders;
}

/**
 * graphql's `subscribe`, except that each event is executed with a context of its own: the
 * subscription's viewer and request id, and the event's loaders. graphql's own keeps one context
 * for the subscription's life, so per-event loaders would have to be swapped into it, which holds
 * only while events run one at a time. Here nothing of one event can leak into another.
 */
export async function subscribeEventByEvent(
  args: ExecutionArgs,
): Promise<AsyncIterable<ExecutionResult> | ExecutionResult> {
  const events = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in events)) return events;
  return map((event: unknown) =>
    execute({ ...args, rootValue: event, contextValue: eventContext(args.contextValue, event) }),
  )(events);
}

/** The context one event runs with; an event without shared loaders gets loaders of its own. */
function eventContext(subscription: unknown, event: unknown): unknown {
  if (!isContext(subscription)) return subscription;
  return { ...subscription, loaders: hasLoaders(event) ? event.loaders : createLoaders(subscription.services) };
}

function isContext(value: unknown): value is Context {
  return typeof value === 'object' && value !== null && 'services' in value && 'viewer' in value;
}

function hasLoaders(value: unknown): value is EventWithLoaders {
  return typeof value === 'object' && value !== null && 'loaders' in value;
}
