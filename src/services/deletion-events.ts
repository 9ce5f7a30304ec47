import { Sql } from '../database/database';

/** What happened to a deletion; the subscription's `DeletionEvent.type`. */
export enum DeletionEventType {
  ACTIVATED = 'ACTIVATED',
  CANCELLED = 'CANCELLED',
  PROGRESS = 'PROGRESS',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}

/**
 * The message that crosses instances: ids only, so it stays far below NOTIFY's 8,000-byte
 * limit and every subscriber resolves the deletion with its own permissions on delivery.
 */
export interface DeletionEventMessage {
  type: DeletionEventType;
  workspaceId: string;
  deletionId: string;
  /** The user who caused it; null for the scheduler. */
  actorId: string | null;
  /** ISO 8601. */
  occurredAt: string;
}

/** The PostgreSQL channel every instance LISTENs on. */
export const DELETION_EVENTS_CHANNEL = 'crm_deletion_events';
/** The in-process pub/sub topic the listener republishes each message on. */
export const DELETION_EVENTS_TOPIC = 'DELETION_EVENTS';

/**
 * Queues an event inside the caller's transaction: PostgreSQL delivers a NOTIFY only when the
 * transaction commits, so no admin is ever told of a change that rolled back (DESIGN §2 rule 10).
 */
export async function publishDeletionEvent(tx: Sql, message: DeletionEventMessage): Promise<void> {
  await tx.rows('SELECT pg_notify($1, $2)', [DELETION_EVENTS_CHANNEL, JSON.stringify(message)]);
}
