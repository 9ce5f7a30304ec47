import type { NotificationsQuery } from '../../operations/generated.js';
import type { DeletionEvent } from './api.js';
import { h } from './dom.js';
import { formatTime } from './format.js';

type StoredNotification = NotificationsQuery['notifications']['edges'][number]['node'];

const TEXT_OF_KIND: Record<string, string> = {
  DELETION_ACTIVATED: 'Deletion activated',
  DELETION_CANCELLED: 'Deletion cancelled',
  DELETION_COMPLETED: 'Deletion completed',
  DELETION_FAILED: 'Deletion failed',
  DELETION_REMINDER: 'Reminder: the pending deletion executes soon',
  DELETION_SETTINGS_CHANGED: 'Deletion settings changed',
  HOLD_PLACED: 'Legal hold placed',
  HOLD_RELEASED: 'Legal hold released',
};

/** "by <name>" for a notification whose deletion says who acted. */
function actorOf(notification: StoredNotification): string | undefined {
  const { deletion, kind } = notification;
  const actor =
    kind === 'DELETION_ACTIVATED'
      ? deletion?.activatedBy
      : kind === 'DELETION_CANCELLED'
        ? deletion?.cancelledBy
        : null;
  return actor ? `by ${actor.name}` : undefined;
}

/**
 * The notification feed: live deletion events and the unread notifications fetched after each
 * (re)connection. Both describe the same happenings (an ACTIVATED event is a DELETION_ACTIVATED
 * notification), so an item is keyed by deletion and kind and shown once, whichever came first.
 * The list is a polite live region: screen readers announce each item as it is prepended.
 */
export class Feed {
  readonly list = h('ul', { id: 'feed', 'aria-live': 'polite', 'aria-relevant': 'additions' });
  private readonly shown = new Set<string>();

  /** A live event; PROGRESS is not news for the feed (the pending panel shows it). */
  addEvent(event: DeletionEvent): void {
    if (event.type === 'PROGRESS') return;
    const kind = event.type.startsWith('HOLD_') ? event.type : `DELETION_${event.type}`;
    const by = event.actor ? ` by ${event.actor.name}` : '';
    this.add(`${event.hold?.id ?? event.deletion?.id}:${kind}`, `${TEXT_OF_KIND[kind] ?? kind}${by}`, event.occurredAt);
  }

  /**
   * Unread notifications from the catch-up query, oldest first so the newest ends on top. A
   * notification names no actor, so it is read from its deletion (who activated, who cancelled);
   * `settingsChange` says what a settings change did and who made it.
   */
  addNotifications(notifications: StoredNotification[], settingsChange?: (at: string) => string | undefined): void {
    for (const notification of [...notifications].reverse()) {
      const key = `${notification.deletion?.id ?? notification.id}:${notification.kind}`;
      const text = TEXT_OF_KIND[notification.kind] ?? notification.kind;
      const detail =
        notification.kind === 'DELETION_SETTINGS_CHANGED'
          ? settingsChange?.(notification.createdAt)
          : actorOf(notification);
      this.add(key, `${text}${detail ? ` ${detail}` : ''}`, notification.createdAt);
    }
  }

  /** Empties the feed once its notifications are marked read. */
  clear(): void {
    this.shown.clear();
    this.list.replaceChildren();
  }

  private add(key: string, text: string, at: string): void {
    if (this.shown.has(key)) return;
    this.shown.add(key);
    this.list.prepend(h('li', {}, `${text} — `, h('time', { datetime: at }, formatTime(at))));
  }
}
