import { Sql } from '../../../database/database';
import { DeletionEventType } from '../deletion-events';
import { DeletionStatus } from '../deletion-status';

/**
 * Lifecycle steps that are not subscription events, so they send no NOTIFY (the subscription's
 * `DeletionEventType` stays as it is): the executor's claim and a change of the deletion settings.
 */
export enum InternalEventType {
  /** PENDING → EXECUTING, or a lease taken over (EXECUTING → EXECUTING). */
  CLAIMED = 'CLAIMED',
  SETTINGS_CHANGED = 'SETTINGS_CHANGED',
  /** A webhook endpoint kept failing and was disabled (src/domain/webhooks); no deletion attached. */
  WEBHOOK_ENDPOINT_DISABLED = 'WEBHOOK_ENDPOINT_DISABLED',
}

/** Every event the lifecycle announces: the subscription's types plus the internal ones. */
export type LifecycleEventType = DeletionEventType | InternalEventType;

/** What a transition (or `announce`) tells its effects; ids only, never personal data. */
export interface LifecycleEvent {
  type: LifecycleEventType;
  workspaceId: string;
  /** Null for events about no deletion (a settings change, a legal hold). */
  deletionId: string | null;
  /** The legal hold of a HOLD_PLACED or HOLD_RELEASED event; absent for the others. */
  holdId?: string | null;
  /** The user who caused it; null for the scheduler. */
  actorId: string | null;
  /** The transition's "now" (the injected clock), the same instant the row and the notifications carry. */
  occurredAt: Date;
  /** The deletion's status after the transition; null when there is no deletion. */
  status: DeletionStatus | null;
}

/**
 * Runs inside the transition's transaction, after its row, notifications and event were written:
 * a throw rolls the whole transition back (row, notifications and NOTIFY). Effects run in the
 * order they were registered, once per event.
 */
export interface TransitionEffect {
  (tx: Sql, event: LifecycleEvent): Promise<void>;
  /**
   * The event types it acts on (`effectOn`); absent, every one. Declaring them matters for
   * PROGRESS, the one event per executor chunk: while no effect acts on it, the chunk announces it
   * in its own statement and needs no transaction of its own (DeletionLifecycle.progressPayload).
   */
  readonly on?: ReadonlySet<LifecycleEventType>;
}

/** An effect that acts only on `types`: it is called for those alone. */
export function effectOn(
  types: Iterable<LifecycleEventType>,
  effect: (tx: Sql, event: LifecycleEvent) => Promise<void>,
): TransitionEffect {
  const on: ReadonlySet<LifecycleEventType> = new Set(types);
  const onlyThose = (tx: Sql, event: LifecycleEvent) => (on.has(event.type) ? effect(tx, event) : Promise.resolve());
  return Object.assign(onlyThose, { on });
}

const SUBSCRIPTION_TYPES = new Set<string>(Object.values(DeletionEventType));

/** Whether `type` is one of the subscription's event types (announced by NOTIFY). */
export function isSubscriptionEvent(type: LifecycleEventType): type is DeletionEventType {
  return SUBSCRIPTION_TYPES.has(type);
}
