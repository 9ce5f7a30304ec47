import { Database } from '../../database/database';
import { WebhookSettings } from '../../config';
import { Logger } from '../../log';
import { DeletionLifecycle } from '../deletion/lifecycle/deletion-lifecycle';
import { InternalEventType } from '../deletion/lifecycle/lifecycle-event';
import { LinkTokens } from './link-token';
import { AttemptResult, delivered, postWebhook } from './webhook-sender';
import { webhookHeaders } from './webhook-signing';

/** A delivery claimed for one attempt, with what its message and signature need. */
interface ClaimedDelivery {
  id: string;
  eventId: string;
  eventType: string;
  workspaceId: string;
  subjectId: string;
  occurredAt: Date;
  attempts: number;
  endpointId: string;
  url: string;
  secrets: string[];
  total: { count: number; bytes: number } | null;
}

/**
 * The claim, one statement that commits on its own: the oldest due open deliveries, skipping rows
 * another instance is claiming right now (SKIP LOCKED), are leased by moving next_attempt_at past
 * the attempt's timeout. Another instance's claim then neither waits for them nor sees them due, so
 * each attempt is made once; a process that dies mid-attempt leaves the row due again once the lease
 * ends (at-least-once). EXPLAIN at 1M delivered rows and 1k due: Index Scan on webhook_deliveries_due.
 */
const CLAIM_SQL = `
  WITH due AS (
    SELECT id FROM webhook_deliveries
    WHERE state IN ('PENDING', 'FAILING') AND next_attempt_at <= $1
    ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
  UPDATE webhook_deliveries d SET next_attempt_at = $1 + $3 * interval '1 millisecond', attempts = d.attempts + 1
  FROM due, webhook_endpoints e
  WHERE d.id = due.id AND e.id = d.endpoint_id
  RETURNING d.id::text, d.event_id AS "eventId", d.event_type AS "eventType", d.workspace_id AS "workspaceId",
    d.subject_id AS "subjectId", d.occurred_at AS "occurredAt", d.attempts, e.id AS "endpointId", e.url,
    array_remove(ARRAY[e.secret, CASE WHEN e.previous_secret_until > $1 THEN e.previous_secret END], NULL) AS secrets,
    CASE WHEN d.event_type LIKE 'deletion.%' THEN (
      SELECT json_build_object('count', coalesce(sum(count), 0)::float8, 'bytes', coalesce(sum(bytes), 0)::float8)
      FROM deletion_type_volumes WHERE deletion_id = d.subject_id) END AS total`;

/** Dependencies of the delivery worker. */
export interface WebhookDeliveryOptions {
  db: Database;
  settings: WebhookSettings;
  /** Announces a disabled endpoint to every admin (the lifecycle writes all notifications). */
  lifecycle: DeletionLifecycle;
  links: LinkTokens;
  logger: Logger;
  /** The origin `removedUrl` starts with. */
  publicUrl: () => string;
}

/** Longest pause between two attempts, however many failed: a receiver back up is served within this. */
const MAX_RETRY_DELAY_MS = 6 * 3_600_000;

/** The pause after `attempts` failed attempts: base, doubling, capped, times 0.8–1.2 so retries spread out. */
function retryDelayMs(baseMs: number, attempts: number): number {
  const exact = Math.min(baseMs * 2 ** Math.min(attempts - 1, 30), MAX_RETRY_DELAY_MS);
  return Math.round(exact * (0.8 + Math.random() * 0.4));
}

/**
 * Sends what the outbox holds (docs/webhooks.md). Run by the scheduler's tick on every instance:
 * claims due deliveries a batch at a time and keeps up to `concurrency` attempts in flight, so a
 * slow receiver holds one slot for at most the attempt timeout while the others go on.
 */
export class WebhookDelivery {
  constructor(private readonly options: WebhookDeliveryOptions) {}

  /** Makes every attempt due at `now`; resolves with how many attempts were made. */
  async deliverDue(now: Date): Promise<number> {
    const { concurrency } = this.options.settings;
    const inFlight = new Set<Promise<void>>();
    let made = 0;
    let exhausted = false;
    for (;;) {
      // Claim more only once half the slots are free: fewer, larger claims.
      if (!exhausted && inFlight.size <= concurrency / 2) {
        const room = concurrency - inFlight.size;
        const claimed = await this.claim(now, room);
        exhausted = claimed.length < room;
        for (const delivery of claimed) {
          const attempt: Promise<void> = this.attempt(delivery, now).finally(() => inFlight.delete(attempt));
          inFlight.add(attempt);
          made += 1;
        }
      }
      if (inFlight.size === 0) return made;
      await Promise.race(inFlight);
    }
  }

  private claim(now: Date, limit: number): Promise<ClaimedDelivery[]> {
    const leaseMs = this.options.settings.attemptTimeoutMs * 2 + 5_000;
    return this.options.db.rows<ClaimedDelivery>(CLAIM_SQL, [now, limit, leaseMs]);
  }

  /** One attempt and its record; a failure to record is logged and the lease retries it later. */
  private async attempt(delivery: ClaimedDelivery, now: Date): Promise<void> {
    const { settings, logger } = this.options;
    try {
      const body = this.messageOf(delivery, now);
      const headers = webhookHeaders(delivery.eventId, new Date(), body, delivery.secrets);
      const result = await postWebhook(new URL(delivery.url), headers, body, {
        timeoutMs: settings.attemptTimeoutMs,
        allowPrivateNetworks: settings.allowPrivateNetworks,
      });
      if (delivered(result)) await this.recordSuccess(delivery, result, now);
      else await this.recordFailure(delivery, result, now);
    } catch (error) {
      logger.error(`webhook delivery ${delivery.id}: recording the attempt failed`, error);
    }
  }

  /** The body, Standard Webhooks shaped; ids and counts only, no personal data (DESIGN.md §6). */
  private messageOf(delivery: ClaimedDelivery, now: Date): string {
    const data: Record<string, unknown> = { workspaceId: delivery.workspaceId };
    if (delivery.eventType.startsWith('deletion.')) {
      const expires = new Date(now.getTime() + this.options.settings.linkTtlMs);
      const token = this.options.links.sign(delivery.subjectId, expires);
      data.deletionId = delivery.subjectId;
      data.total = delivery.total ?? { count: 0, bytes: 0 };
      data.removedUrl = `${this.options.publicUrl()}/deletions/${delivery.subjectId}/removed?token=${token}`;
    } else {
      data.holdId = delivery.subjectId;
    }
    return JSON.stringify({ type: delivery.eventType, timestamp: delivery.occurredAt.toISOString(), data });
  }

  private async recordSuccess(delivery: ClaimedDelivery, result: AttemptResult, now: Date): Promise<void> {
    await this.options.db.rows(
      `WITH d AS (
         UPDATE webhook_deliveries SET state = 'DELIVERED', delivered_at = $2, last_status = $3, last_error = NULL,
           next_attempt_at = NULL
         WHERE id = $1 RETURNING endpoint_id)
       UPDATE webhook_endpoints e SET failing_since = NULL FROM d WHERE e.id = d.endpoint_id AND e.failing_since IS NOT NULL`,
      [delivery.id, now, result.status],
    );
  }

  /**
   * A failed attempt: FAILING with the next attempt after the backoff, or GAVE_UP once the event is
   * older than WEBHOOK_GIVE_UP_AFTER. The endpoint remembers since when it fails; failing longer than
   * WEBHOOK_DISABLE_AFTER, it is disabled, its open deliveries given up and every admin notified.
   */
  private async recordFailure(delivery: ClaimedDelivery, result: AttemptResult, now: Date): Promise<void> {
    const { settings, db, lifecycle, logger } = this.options;
    const givesUp = now.getTime() - delivery.occurredAt.getTime() >= settings.giveUpAfterMs;
    const next = new Date(now.getTime() + retryDelayMs(settings.retryBaseDelayMs, delivery.attempts));
    const error = result.error ?? `HTTP ${result.status}`;
    await db.transaction(async (tx) => {
      await tx.rows(
        `UPDATE webhook_deliveries SET state = $2, last_status = $3, last_error = $4, next_attempt_at = $5
         WHERE id = $1 AND state <> 'DELIVERED'`,
        [delivery.id, givesUp ? 'GAVE_UP' : 'FAILING', result.status, error.slice(0, 500), givesUp ? null : next],
      );
      const endpoint = await tx.one<{ disabled: boolean }>(
        `UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2),
           enabled = enabled AND coalesce(failing_since, $2) > $2 - $3 * interval '1 millisecond',
           disabled_at = CASE WHEN enabled AND coalesce(failing_since, $2) <= $2 - $3 * interval '1 millisecond'
             THEN $2 ELSE disabled_at END
         WHERE id = $1 RETURNING disabled_at = $2 AS disabled`,
        [delivery.endpointId, now, settings.disableAfterMs],
      );
      if (!endpoint?.disabled) return;
      await tx.rows(
        `UPDATE webhook_deliveries SET state = 'GAVE_UP', next_attempt_at = NULL
         WHERE endpoint_id = $1 AND state IN ('PENDING', 'FAILING')`,
        [delivery.endpointId],
      );
      await lifecycle.announce(tx, {
        type: InternalEventType.WEBHOOK_ENDPOINT_DISABLED,
        workspaceId: delivery.workspaceId,
        deletionId: null,
        actorId: null,
        occurredAt: now,
        status: null,
      });
      logger.warn(`webhook endpoint ${delivery.endpointId} disabled: failing since more than the allowed time`);
    });
  }
}
