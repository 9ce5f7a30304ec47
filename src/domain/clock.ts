/** Where "now" comes from: injected so tests can move time instead of waiting for it. */
export interface Clock {
  now(): Date;
}

/** The real wall clock. */
export const systemClock: Clock = { now: () => new Date() };
