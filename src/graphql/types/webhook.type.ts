import { Field, ID, Int, ObjectType } from 'type-graphql';
import { WebhookDeliveryRow, WebhookEndpointRow } from '../../domain/webhooks/webhook-endpoints.service';
import { AttemptResult } from '../../domain/webhooks/webhook-sender';
import { PLAIN_FIELDS } from './plain-fields';

@ObjectType({ ...PLAIN_FIELDS, description: 'A URL of another system that receives signed webhooks. Admins only.' })
export class WebhookEndpoint {
  @Field(() => ID, { description: 'Unique id of the endpoint.' })
  id: string;

  @Field({ description: 'Where events are POSTed (https:// in production).' })
  url: string;

  @Field(() => [String], { description: 'The event types it receives, e.g. deletion.completed.' })
  eventTypes: string[];

  @Field({ description: 'False once it failed for longer than WEBHOOK_DISABLE_AFTER: nothing is sent to it.' })
  enabled: boolean;

  @Field({ description: 'When it was registered.' })
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'Since when every attempt failed; null while it answers.' })
  failingSince: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was disabled for failing; null while enabled.' })
  disabledAt: Date | null;
}

@ObjectType({ ...PLAIN_FIELDS, description: 'A new endpoint and its signing secret, which is shown this once.' })
export class WebhookEndpointCreated {
  @Field(() => WebhookEndpoint)
  endpoint: WebhookEndpoint;

  @Field({ description: 'The signing secret (whsec_…): keep it now, it is never shown again.' })
  secret: string;
}

@ObjectType({ ...PLAIN_FIELDS, description: "One event's delivery to one endpoint." })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Unique id of the delivery.' })
  id: string;

  @Field(() => ID, { description: 'The webhook-id header: the same on every attempt (receivers deduplicate by it).' })
  webhookId: string;

  @Field(() => WebhookEndpoint)
  endpoint: WebhookEndpoint;

  @Field({ description: 'The event type, e.g. deletion.completed.' })
  eventType: string;

  @Field({ description: 'PENDING, DELIVERED, FAILING (retrying with backoff) or GAVE_UP.' })
  state: string;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts: number;

  @Field(() => Int, { nullable: true, description: "The last attempt's HTTP status; null if no answer came." })
  lastStatus: number | null;

  @Field(() => String, { nullable: true, description: 'Why the last attempt failed, if it did.' })
  lastError: string | null;

  @Field({ description: 'When the event happened.' })
  occurredAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once delivered or given up.' })
  nextAttemptAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a receiver accepted it (2xx).' })
  deliveredAt: Date | null;
}

@ObjectType({ ...PLAIN_FIELDS, description: 'How an endpoint answered a test ping.' })
export class WebhookPing {
  @Field({ description: 'Whether it answered 2xx.' })
  ok: boolean;

  @Field(() => Int, { nullable: true, description: 'The HTTP status; null if no answer came.' })
  status: number | null;

  @Field(() => String, { nullable: true, description: 'Why no answer came (timeout, refused address …).' })
  error: string | null;
}

/** The API's view of an endpoint row. */
export function toWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return Object.assign(new WebhookEndpoint(), row);
}

/** The API's view of a delivery row. */
export function toWebhookDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), row, { endpoint: toWebhookEndpoint(row.endpoint) });
}

/** The API's view of a ping's outcome. */
export function toWebhookPing(result: AttemptResult): WebhookPing {
  const ok = result.status !== null && result.status >= 200 && result.status < 300;
  return Object.assign(new WebhookPing(), { ok, status: result.status, error: result.error });
}
