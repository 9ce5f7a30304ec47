/** Where "now" comes from; injected so tests can move time instead of waiting. */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
