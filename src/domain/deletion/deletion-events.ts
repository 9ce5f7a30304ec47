import { Sql } from '../../database/database';
import { isUuid } from '../uuid';

/** What happened to a deletion; the subscription's `DeletionEvent.type`. */
export enum DeletionEventType {
  ACTIVATED = 'ACTIVATED',
  CANCELLED = 'CANCELLED',
  PROGRESS = 'PROGRESS',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
  /** The deletion executes in the workspace's `reminderHoursBefore` hours or less; sent once. */
  REMINDER = 'REMINDER',
  /** An admin placed a legal hold (the event carries the hold; its deletion is the active one, if any). */
  HOLD_PLACED = 'HOLD_PLACED',
  /** An admin released a legal hold. */
  HOLD_RELEASED = 'HOLD_RELEASED',
}

/**
 * The message that crosses instances: ids only, so it stays far below NOTIFY's 8,000-byte
 * limit and every subscriber resolves the deletion with its own permissions on delivery.
 */
export interface DeletionEventMessage {
  type: DeletionEventType;
  workspaceId: string;
  /**
   * The deletion it is about. Null only for a hold event in a workspace with no PENDING or
   * EXECUTING deletion (a hold event names the active deletion, whose figures it may have changed).
   */
  deletionId: string | null;
  /** The legal hold of a HOLD_PLACED or HOLD_RELEASED event; absent otherwise. */
  holdId?: string | null;
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
 * transaction commits, so no admin is ever told of a change that rolled back (docs/rules.md, rule 10).
 * The application calls it only from the deletion lifecycle (lifecycle/deletion-lifecycle.ts).
 */
export async function publishDeletionEvent(tx: Sql, message: DeletionEventMessage): Promise<void> {
  await tx.rows(`SELECT ${notifyDeletionEventSql('$1')}`, [deletionEventPayload(message)]);
}

/** A message as NOTIFY carries it (parseDeletionEventMessage reads it back). */
export function deletionEventPayload(message: DeletionEventMessage): string {
  return JSON.stringify(message);
}

/** The SQL expression that queues the NOTIFY of `payload` (a parameter or expression holding deletionEventPayload's text). */
export function notifyDeletionEventSql(payload: string): string {
  return `pg_notify('${DELETION_EVENTS_CHANNEL}', ${payload})`;
}

const EVENT_TYPES = new Set<string>(Object.values(DeletionEventType));

/**
 * Reads a NOTIFY payload back into a message, or null when it is not one: the channel is open to
 * any session of the database, so a payload is checked field by field before it reaches subscribers.
 */
export function parseDeletionEventMessage(payload: string | undefined): DeletionEventMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const { type, workspaceId, deletionId, holdId, actorId, occurredAt } = value as Record<string, unknown>;
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return null;
  if (!isUuid(workspaceId)) return null;
  const holdEvent = type === DeletionEventType.HOLD_PLACED || type === DeletionEventType.HOLD_RELEASED;
  if (!(isUuid(deletionId) || (holdEvent && deletionId === null))) return null;
  if (holdEvent ? !isUuid(holdId) : holdId != null) return null;
  if (actorId !== null && !isUuid(actorId)) return null;
  if (typeof occurredAt !== 'string' || Number.isNaN(Date.parse(occurredAt))) return null;
  // Only the known fields are passed on, whatever else the payload carried.
  return {
    type: type as DeletionEventType,
    workspaceId,
    deletionId: deletionId as string | null,
    ...(holdEvent ? { holdId: holdId as string } : {}),
    actorId,
    occurredAt,
  };
}
