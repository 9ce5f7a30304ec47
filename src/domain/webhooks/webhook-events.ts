import { randomUUID } from 'node:crypto';
import { Sql } from '../../database/database';
import { DeletionEventType } from '../deletion/deletion-events';
import { effectOn, LifecycleEventType, TransitionEffect } from '../deletion/lifecycle/lifecycle-event';

/** The event types an endpoint may subscribe to (DESIGN.md §6). */
export const WEBHOOK_EVENT_TYPES = [
  'deletion.activated',
  'deletion.cancelled',
  'deletion.reminder',
  'deletion.completed',
  'deletion.failed',
  'hold.placed',
  'hold.released',
] as const;

type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** One event for the outbox: what happened, in which workspace, to which deletion (or hold), when. */
export interface WebhookEvent {
  type: WebhookEventType;
  workspaceId: string;
  /** The deletion's id (deletion.*) or the hold's (hold.*). */
  subjectId: string;
  /** ISO 8601. */
  occurredAt: string;
}

/**
 * What the transitions announce, as the outbox reads it: today's `DeletionEventMessage`, and the
 * lifecycle's `LifecycleEvent` (occurredAt a Date, hold events with a holdId), so the same function
 * serves as a transition effect once every transition goes through the lifecycle.
 */
export interface AnnouncedEvent {
  type: string;
  workspaceId: string;
  deletionId: string | null;
  holdId?: string | null;
  occurredAt: string | Date;
}

/** Announced types that go out as webhooks; PROGRESS (and the lifecycle's internal steps) stay in-house. */
const WEBHOOK_TYPE_OF: Readonly<Record<string, WebhookEventType>> = {
  [DeletionEventType.ACTIVATED]: 'deletion.activated',
  [DeletionEventType.CANCELLED]: 'deletion.cancelled',
  [DeletionEventType.REMINDER]: 'deletion.reminder',
  [DeletionEventType.COMPLETED]: 'deletion.completed',
  [DeletionEventType.FAILED]: 'deletion.failed',
  [DeletionEventType.HOLD_PLACED]: 'hold.placed',
  [DeletionEventType.HOLD_RELEASED]: 'hold.released',
};

/** The webhook event of an announced one, or null for one that is not sent (PROGRESS, a hold without its id). */
function webhookEventOf(event: AnnouncedEvent): WebhookEvent | null {
  const type = Object.hasOwn(WEBHOOK_TYPE_OF, event.type) ? WEBHOOK_TYPE_OF[event.type] : undefined;
  const subjectId = type?.startsWith('hold.') ? event.holdId : event.deletionId;
  if (!type || !subjectId) return null;
  const occurredAt = typeof event.occurredAt === 'string' ? event.occurredAt : event.occurredAt.toISOString();
  return { type, workspaceId: event.workspaceId, subjectId, occurredAt };
}

/**
 * The outbox's only write, one INSERT: a delivery row for every enabled endpoint of the workspace
 * subscribed to the type, all sharing one event id (the `webhook-id` of every attempt). It runs in
 * the transition's transaction, so a rolled-back change leaves no row and a committed one is sent
 * even if the process dies right after the commit. Reads webhook_endpoints_workspace (EXPLAIN: Index
 * Scan, a workspace's few endpoints).
 */
export async function enqueueWebhookEvent(tx: Sql, event: AnnouncedEvent | WebhookEvent): Promise<void> {
  const webhookEvent = 'subjectId' in event ? event : webhookEventOf(event);
  if (!webhookEvent) return;
  await tx.rows(
    `INSERT INTO webhook_deliveries
       (event_id, endpoint_id, workspace_id, event_type, subject_id, occurred_at, next_attempt_at)
     SELECT $1, id, workspace_id, $3, $4, $5, $5 FROM webhook_endpoints
     WHERE workspace_id = $2 AND enabled AND $3 = ANY(event_types)`,
    [randomUUID(), webhookEvent.workspaceId, webhookEvent.type, webhookEvent.subjectId, webhookEvent.occurredAt],
  );
}

/** The outbox as a lifecycle effect: called for the announced types that go out as webhooks only (so never PROGRESS). */
export const webhookOutboxEffect: TransitionEffect = effectOn(
  Object.keys(WEBHOOK_TYPE_OF) as LifecycleEventType[],
  enqueueWebhookEvent,
);
