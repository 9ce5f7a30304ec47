import { Sql } from '../../../database/database';
import { NotificationKind } from '../../notifications/notification-kind';
import { DeletionEventType, deletionEventPayload, publishDeletionEvent } from '../deletion-events';
import { DeletionRow } from '../deletion-row';
import { DeletionSettingsRow } from '../deletion-settings-row';
import { DeletionStatus } from '../deletion-status';
import {
  InternalEventType,
  isSubscriptionEvent,
  LifecycleEvent,
  LifecycleEventType,
  TransitionEffect,
} from './lifecycle-event';
import * as q from './lifecycle-sql';
import { freezeSelection, returnToSelection } from './object-moves';

/**
 * The deletion state machine (docs/deletion-lifecycle.md): the one place that writes
 * `deletions.status`, the admins' notifications and the events (NOTIFY). Each transition is one
 * verb — activate, cancel, claim, progress, complete, fail, remind, changeSettings — that runs in
 * the transaction its caller gives it: its statement (lifecycle-sql.ts), then `record`, which
 * writes the notifications of the event's kind, queues the NOTIFY (delivered only on commit, so
 * nobody hears of a change that rolled back: rule 10) and runs the transition effects.
 *
 * Extension point: the effects (`TransitionEffect`, lifecycle-event.ts) are passed in by the
 * wiring (`createServices`, whose list `app.ts` gives) and run after every transition and every
 * `announce` of a type they act on (`TransitionEffect.on`), inside the same transaction, in order; a
 * throw rolls the transition back. PROGRESS alone may go out without a transaction of its own when
 * no effect acts on it (`progressPayload`, docs/deletion-lifecycle.md). Receipts hook
 * CLAIMED/COMPLETED/FAILED, the webhook outbox the types sent as webhooks; events about no deletion (legal holds)
 * go through `announce`. Refusals and checks (who may, is the selection empty) stay with the
 * callers: a transition returns undefined or false when its row did not match, and then wrote nothing.
 */
export class DeletionLifecycle {
  /** Whether no effect acts on PROGRESS, so a chunk may send it itself (`progressPayload`); the effects never change. */
  private readonly progressInStatement: boolean;

  constructor(private readonly effects: readonly TransitionEffect[] = []) {
    this.progressInStatement = !effects.some((effect) => !effect.on || effect.on.has(DeletionEventType.PROGRESS));
  }

  /** (none) → PENDING: freezes the workspace's selection into a new deletion that executes at `executeAfter`. */
  async activate(tx: Sql, change: ActorChange & { executeAfter: Date }): Promise<DeletionRow> {
    const { workspaceId, actorId, now, executeAfter } = change;
    const deletion = (await tx.one<DeletionRow>(q.ACTIVATE_SQL, [workspaceId, now, actorId, executeAfter]))!;
    await freezeSelection(tx, workspaceId, deletion.id);
    await this.record(tx, DeletionEventType.ACTIVATED, { ...change, deletionId: deletion.id, status: deletion.status });
    return deletion;
  }

  /** PENDING → CANCELLED; the objects return to the selection. Undefined (nothing written) when not PENDING. */
  async cancel(tx: Sql, change: ActorChange & { deletionId: string }): Promise<DeletionRow | undefined> {
    const { deletionId, workspaceId, actorId, now } = change;
    const deletion = await tx.one<DeletionRow>(q.CANCEL_SQL, [deletionId, workspaceId, now, actorId]);
    if (!deletion) return undefined;
    await returnToSelection(tx, deletionId);
    await this.record(tx, DeletionEventType.CANCELLED, { ...change, status: deletion.status });
    return deletion;
  }

  /** PENDING → EXECUTING, or a lapsed lease taken over: the earliest deletion due at `now` that no one holds. */
  async claim(tx: Sql, claim: ClaimRequest): Promise<ClaimedDeletion | undefined> {
    const { now, instanceId, leaseMs, skip } = claim;
    const claimed = await tx.one<ClaimedDeletion>(q.CLAIM_SQL, [now, instanceId, leaseMs, skip]);
    if (!claimed) return undefined;
    await this.record(tx, InternalEventType.CLAIMED, scheduled(claimed, now, DeletionStatus.EXECUTING));
    return claimed;
  }

  /** EXECUTING, a chunk committed: announces PROGRESS (the chunk itself wrote the objects and volumes). */
  async progress(tx: Sql, run: Run): Promise<void> {
    await this.record(tx, DeletionEventType.PROGRESS, scheduled(run.deletion, run.now, DeletionStatus.EXECUTING));
  }

  /**
   * PROGRESS as the executor's chunk statement sends it itself (`pg_notify` with this payload, in
   * autocommit: one round trip per chunk instead of five, BENCHMARKS.md issue 25 goal 4), or
   * undefined when an effect acts on PROGRESS: that chunk then runs in a transaction and calls
   * `progress`. PROGRESS writes no row and no notification, so its NOTIFY is all there is to it.
   */
  progressPayload(run: Run): string | undefined {
    if (!this.progressInStatement) return undefined;
    return deletionEventPayload({
      type: DeletionEventType.PROGRESS,
      workspaceId: run.deletion.workspaceId,
      deletionId: run.deletion.id,
      actorId: null,
      occurredAt: run.now.toISOString(),
    });
  }

  /** EXECUTING → COMPLETED while the run is ours; false (nothing written) when the lease was lost. */
  async complete(tx: Sql, run: Run): Promise<boolean> {
    const { deletion, now, instanceId } = run;
    if (!(await tx.one(q.COMPLETE_SQL, [deletion.id, now, instanceId]))) return false;
    await this.record(tx, DeletionEventType.COMPLETED, scheduled(deletion, now, DeletionStatus.COMPLETED));
    return true;
  }

  /**
   * EXECUTING → FAILED with `reason` while the run is ours; the objects not yet removed return to
   * the selection, still marked. False (nothing written) when the lease was lost.
   */
  async fail(tx: Sql, run: Run, reason: string): Promise<boolean> {
    const { deletion, now, instanceId } = run;
    if (!(await tx.one(q.FAIL_SQL, [deletion.id, reason, instanceId]))) return false;
    await returnToSelection(tx, deletion.id);
    await this.record(tx, DeletionEventType.FAILED, scheduled(deletion, now, DeletionStatus.FAILED));
    return true;
  }

  /** PENDING, reminder due: sets reminded_at once; false (nothing written) when reminded already or no longer PENDING. */
  async remind(tx: Sql, deletion: ClaimedDeletion, now: Date): Promise<boolean> {
    if (!(await tx.one(q.REMIND_SQL, [deletion.id, now]))) return false;
    await this.record(tx, DeletionEventType.REMINDER, scheduled(deletion, now, DeletionStatus.PENDING));
    return true;
  }

  /** Writes the workspace's new settings and the change's record (old → new); the caller holds the row lock. */
  async changeSettings(
    tx: Sql,
    change: ActorChange & { old: SettingsValues; next: SettingsValues },
  ): Promise<DeletionSettingsRow> {
    const { workspaceId, actorId, now, old, next } = change;
    const updated = await tx.one<DeletionSettingsRow>(q.CHANGE_SETTINGS_SQL, [
      workspaceId,
      next.autoMarkAfterDays,
      next.reminderHoursBefore,
      now,
      actorId,
    ]);
    await tx.rows(q.RECORD_SETTINGS_CHANGE_SQL, [
      workspaceId,
      now,
      actorId,
      old.autoMarkAfterDays,
      next.autoMarkAfterDays,
      old.reminderHoursBefore,
      next.reminderHoursBefore,
    ]);
    await this.record(tx, InternalEventType.SETTINGS_CHANGED, { ...change, deletionId: null, status: null });
    return updated!;
  }

  /**
   * Announces an event that is no deletion transition (e.g. a legal hold placed or released):
   * notifications if its type has a kind, NOTIFY if it is a subscription event about a deletion,
   * then the effects, all in the caller's transaction.
   */
  async announce(tx: Sql, event: LifecycleEvent): Promise<void> {
    const kind = NOTIFICATION_OF[event.type];
    if (kind) {
      await tx.rows(q.NOTIFY_ADMINS_SQL, [
        event.workspaceId,
        kind,
        event.deletionId,
        event.occurredAt,
        event.holdId ?? null,
      ]);
    }
    // A hold event is published with or without a deletion (docs/legal-holds.md).
    if (isSubscriptionEvent(event.type) && (event.deletionId || event.holdId)) {
      await publishDeletionEvent(tx, {
        type: event.type,
        workspaceId: event.workspaceId,
        deletionId: event.deletionId,
        ...(event.holdId ? { holdId: event.holdId } : {}),
        actorId: event.actorId,
        occurredAt: event.occurredAt.toISOString(),
      });
    }
    for (const effect of this.effects) await effect(tx, event);
  }

  private record(tx: Sql, type: LifecycleEventType, fields: EventFields): Promise<void> {
    const { workspaceId, deletionId, actorId, now, status } = fields;
    return this.announce(tx, { type, workspaceId, deletionId, actorId, occurredAt: now, status });
  }
}

/**
 * The admins' notification of each event type; one without an entry notifies nobody (PROGRESS,
 * CLAIMED). The one place an event is mapped to a notification.
 */
const NOTIFICATION_OF: Partial<Record<LifecycleEventType, NotificationKind>> = {
  [DeletionEventType.ACTIVATED]: NotificationKind.DELETION_ACTIVATED,
  [DeletionEventType.CANCELLED]: NotificationKind.DELETION_CANCELLED,
  [DeletionEventType.COMPLETED]: NotificationKind.DELETION_COMPLETED,
  [DeletionEventType.FAILED]: NotificationKind.DELETION_FAILED,
  [DeletionEventType.REMINDER]: NotificationKind.DELETION_REMINDER,
  [InternalEventType.SETTINGS_CHANGED]: NotificationKind.DELETION_SETTINGS_CHANGED,
  [DeletionEventType.HOLD_PLACED]: NotificationKind.HOLD_PLACED,
  [DeletionEventType.HOLD_RELEASED]: NotificationKind.HOLD_RELEASED,
  [InternalEventType.WEBHOOK_ENDPOINT_DISABLED]: NotificationKind.WEBHOOK_ENDPOINT_DISABLED,
};

/** A deletion the scheduler holds (claimed, or due for its reminder). */
export interface ClaimedDeletion {
  id: string;
  workspaceId: string;
}

/** A change an admin makes in their workspace at `now`. */
export interface ActorChange {
  workspaceId: string;
  actorId: string;
  now: Date;
}

/** What a claim asks for: due at `now`, held by `instanceId` for `leaseMs`, none of `skip`. */
export interface ClaimRequest {
  now: Date;
  instanceId: string;
  leaseMs: number;
  skip: readonly string[];
}

/** A run of the executor: the deletion it claimed, its instance, and the run's "now". */
export interface Run {
  deletion: ClaimedDeletion;
  instanceId: string;
  now: Date;
}

/** The two values a settings change moves. */
export type SettingsValues = Pick<DeletionSettingsRow, 'autoMarkAfterDays' | 'reminderHoursBefore'>;

interface EventFields {
  workspaceId: string;
  deletionId: string | null;
  actorId: string | null;
  now: Date;
  status: DeletionStatus | null;
}

function scheduled(deletion: ClaimedDeletion, now: Date, status: DeletionStatus): EventFields {
  return { workspaceId: deletion.workspaceId, deletionId: deletion.id, actorId: null, now, status };
}
