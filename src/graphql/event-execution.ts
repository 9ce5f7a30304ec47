import { Context } from './context';
import { createLoaders, Loaders } from './loaders';

/** An event that carries the loaders every subscriber of it shares (a DeletionEventDelivery). */
interface EventWithLoaders {
  loaders: Loaders;
}

/**
 * The context one event is executed with: the subscription's viewer and request id, and the
 * event's loaders. graphql's own `subscribe` keeps one context for the subscription's life, so
 * per-event loaders would have to be swapped into it, which holds only while events run one at a
 * time. Here nothing of one event can leak into another. An event without shared loaders gets
 * loaders of its own.
 */
export function eventContext(subscription: Context, event: unknown): Context {
  return { ...subscription, loaders: hasLoaders(event) ? event.loaders : createLoaders(subscription.services) };
}

function hasLoaders(value: unknown): value is EventWithLoaders {
  return typeof value === 'object' && value !== null && 'loaders' in value;
}
