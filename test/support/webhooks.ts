import { CreateWebhookEndpointDocument } from '../../operations/generated';
import { WEBHOOK_EVENT_TYPES } from '../../src/domain/webhooks/webhook-events';
import { mustRequest } from './clients';
import { TestUser } from './fixtures';
import { WebhookReceiver } from './webhook-receiver';

/** Registers `receiver` as an endpoint through the API (all event types unless given); it then verifies with the secret. */
export async function registerReceiver(
  url: string,
  admin: TestUser,
  receiver: WebhookReceiver,
  eventTypes: readonly string[] = WEBHOOK_EVENT_TYPES,
): Promise<string> {
  const data = await mustRequest(
    url,
    CreateWebhookEndpointDocument,
    { url: receiver.url, eventTypes: [...eventTypes] },
    admin.token,
  );
  receiver.secrets.push(data.createWebhookEndpoint.secret);
  return data.createWebhookEndpoint.endpoint.id;
}
