import { randomUUID } from 'node:crypto';
import { Database } from '../../database/database';
import { WebhookSettings } from '../../config';
import { AppError, ErrorCode } from '../../errors';
import { Clock } from '../clock';
import { UserRow } from '../domain-types';
import { requireAdmin } from '../policy';
import { isUuid } from '../uuid';
import { checkEndpointUrl } from './ssrf-guard';
import { WEBHOOK_EVENT_TYPES } from './webhook-events';
import { AttemptResult, postWebhook } from './webhook-sender';
import { newWebhookSecret, webhookHeaders } from './webhook-signing';

/** An endpoint as admins see it; the secret is never read back. */
export interface WebhookEndpointRow {
  id: string;
  url: string;
  eventTypes: string[];
  enabled: boolean;
  createdAt: Date;
  failingSince: Date | null;
  disabledAt: Date | null;
}

/** One event's delivery to one endpoint. */
export interface WebhookDeliveryRow {
  id: string;
  webhookId: string;
  subjectId: string;
  eventType: string;
  state: string;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  occurredAt: Date;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  endpoint: WebhookEndpointRow;
}

const ENDPOINT_COLUMNS = `e.id, e.url, e.event_types AS "eventTypes", e.enabled, e.created_at AS "createdAt",
  e.failing_since AS "failingSince", e.disabled_at AS "disabledAt"`;

const DELIVERY_SELECT = `
  SELECT d.id::text, d.event_id AS "webhookId", d.subject_id AS "subjectId", d.event_type AS "eventType", d.state,
    d.attempts, d.last_status AS "lastStatus", d.last_error AS "lastError", d.occurred_at AS "occurredAt",
    d.next_attempt_at AS "nextAttemptAt", d.delivered_at AS "deliveredAt",
    json_build_object('id', e.id, 'url', e.url, 'eventTypes', e.event_types, 'enabled', e.enabled,
      'createdAt', e.created_at, 'failingSince', e.failing_since, 'disabledAt', e.disabled_at) AS endpoint
  FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id`;

/** Endpoints one workspace may register; a guard against a runaway script, far above real use. */
const MAX_ENDPOINTS_PER_WORKSPACE = 1000;

/** Admins' management of their workspace's webhook endpoints (docs/webhooks.md). */
export class WebhookEndpointService {
  constructor(
    private readonly db: Database,
    private readonly settings: WebhookSettings,
    private readonly clock: Clock,
  ) {}

  /** Registers an endpoint; the secret is returned here only, once. */
  async create(
    user: UserRow,
    url: string,
    eventTypes: readonly string[],
  ): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    requireAdmin(user, 'register webhook endpoints');
    const types = checkEventTypes(eventTypes);
    const checked = await checkEndpointUrl(url, this.settings);
    const secret = newWebhookSecret();
    const endpoint = await this.db.one<WebhookEndpointRow>(
      `INSERT INTO webhook_endpoints AS e (workspace_id, url, event_types, secret, created_at, created_by)
       SELECT $1, $2, $3, $4, $5, $6
       WHERE (SELECT count(*) FROM webhook_endpoints WHERE workspace_id = $1) < $7
       RETURNING ${ENDPOINT_COLUMNS}`,
      [user.workspaceId, checked.href, types, secret, this.clock.now(), user.id, MAX_ENDPOINTS_PER_WORKSPACE],
    );
    if (!endpoint)
      throw new AppError(
        ErrorCode.CONFLICT,
        `This workspace has ${MAX_ENDPOINTS_PER_WORKSPACE} webhook endpoints already: delete one first.`,
      );
    return { endpoint, secret };
  }

  /** The workspace's endpoints, oldest first. */
  list(user: UserRow): Promise<WebhookEndpointRow[]> {
    requireAdmin(user, 'see webhook endpoints');
    return this.db.rows<WebhookEndpointRow>(
      `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE workspace_id = $1 ORDER BY created_at, id`,
      [user.workspaceId],
    );
  }

  /** Deletes an endpoint and its deliveries (nothing more is sent to it). */
  async delete(user: UserRow, id: string): Promise<boolean> {
    requireAdmin(user, 'delete webhook endpoints');
    const row = isUuid(id)
      ? await this.db.one('DELETE FROM webhook_endpoints WHERE id = $1 AND workspace_id = $2 RETURNING id', [
          id,
          user.workspaceId,
        ])
      : undefined;
    if (!row) throw endpointNotFound(id);
    return true;
  }

  /**
   * A new secret for the endpoint, returned once; the old one keeps signing beside it for
   * WEBHOOK_SECRET_OVERLAP, so receivers can switch without missing a message.
   */
  async rotateSecret(user: UserRow, id: string): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
    requireAdmin(user, 'rotate webhook secrets');
    const secret = newWebhookSecret();
    const until = new Date(this.clock.now().getTime() + this.settings.secretOverlapMs);
    const endpoint = isUuid(id)
      ? await this.db.one<WebhookEndpointRow>(
          `UPDATE webhook_endpoints e SET previous_secret = secret, previous_secret_until = $3, secret = $4
           WHERE id = $1 AND workspace_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
          [id, user.workspaceId, until, secret],
        )
      : undefined;
    if (!endpoint) throw endpointNotFound(id);
    return { endpoint, secret };
  }

  /** Sends a signed `webhook.ping` now, outside the outbox, and says how the receiver answered. */
  async ping(user: UserRow, id: string): Promise<AttemptResult> {
    requireAdmin(user, 'ping webhook endpoints');
    const row = isUuid(id)
      ? await this.db.one<{ url: string; secret: string }>(
          'SELECT url, secret FROM webhook_endpoints WHERE id = $1 AND workspace_id = $2',
          [id, user.workspaceId],
        )
      : undefined;
    if (!row) throw endpointNotFound(id);
    const now = this.clock.now();
    const body = JSON.stringify({
      type: 'webhook.ping',
      timestamp: now.toISOString(),
      data: { endpointId: id, workspaceId: user.workspaceId },
    });
    const headers = webhookHeaders(randomUUID(), new Date(), body, [row.secret]);
    return postWebhook(new URL(row.url), headers, body, {
      timeoutMs: this.settings.attemptTimeoutMs,
      allowPrivateNetworks: this.settings.allowPrivateNetworks,
    });
  }

  /** The deliveries of these deletions (or holds) in the workspace, grouped in the order asked; a DataLoader batch. */
  async deliveriesBySubjects(workspaceId: string, subjectIds: readonly string[]): Promise<WebhookDeliveryRow[][]> {
    const rows = await this.db.rows<WebhookDeliveryRow>(
      `${DELIVERY_SELECT} WHERE d.subject_id = ANY($1::uuid[]) AND d.workspace_id = $2 ORDER BY d.id`,
      [subjectIds.filter(isUuid), workspaceId],
    );
    return subjectIds.map((id) => rows.filter((row) => row.subjectId === id.toLowerCase()));
  }

  /** An endpoint's latest deliveries, newest first (the console's list). */
  async recentDeliveries(user: UserRow, endpointId: string, first: number): Promise<WebhookDeliveryRow[]> {
    requireAdmin(user, 'see webhook deliveries');
    if (!isUuid(endpointId)) throw endpointNotFound(endpointId);
    return this.db.rows<WebhookDeliveryRow>(
      `${DELIVERY_SELECT} WHERE d.endpoint_id = $1 AND e.workspace_id = $2 ORDER BY d.id DESC LIMIT $3`,
      [endpointId, user.workspaceId, first],
    );
  }
}

/** The event types asked for, deduplicated; BAD_USER_INPUT naming any unknown one. */
function checkEventTypes(eventTypes: readonly string[]): string[] {
  const known = new Set<string>(WEBHOOK_EVENT_TYPES);
  const unknown = eventTypes.filter((type) => !known.has(type));
  if (eventTypes.length === 0 || unknown.length > 0)
    throw new AppError(
      ErrorCode.BAD_USER_INPUT,
      `Give one or more event types from ${WEBHOOK_EVENT_TYPES.join(', ')}${unknown.length > 0 ? `; unknown: ${unknown.slice(0, 10).join(', ')}` : ''}. Nothing was changed.`,
    );
  return [...new Set(eventTypes)];
}

/** The refusal for an id that names no endpoint of the caller's workspace. */
function endpointNotFound(id: string): AppError {
  return new AppError(ErrorCode.NOT_FOUND, `No such webhook endpoint in your workspace: ${id.slice(0, 100)}.`);
}
