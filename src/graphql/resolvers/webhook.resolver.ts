import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../context';
import { requireUser } from '../context';
import { Role } from '../../domain/domain-types';
import { pageSize } from '../types/connection';
import { Deletion } from '../types/deletion.type';
import {
  toWebhookDelivery,
  toWebhookEndpoint,
  toWebhookPing,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointCreated,
  WebhookPing,
} from '../types/webhook.type';

/** Webhook endpoints of the caller's workspace: admins register, list, ping, rotate and delete. */
@Resolver(() => WebhookEndpoint)
export class WebhookResolver {
  @Authorized(Role.ADMIN)
  @Query(() => [WebhookEndpoint], { description: "Your workspace's webhook endpoints, oldest first. Admins only." })
  async webhookEndpoints(@Ctx() context: Context): Promise<WebhookEndpoint[]> {
    return (await context.services.webhooks.list(requireUser(context))).map(toWebhookEndpoint);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => WebhookEndpointCreated, {
    description:
      'Registers an endpoint for these event types (deletion.activated, deletion.cancelled, deletion.reminder, deletion.completed, deletion.failed, hold.placed, hold.released). A loopback or private address, or plain http in production: BAD_USER_INPUT. The secret is shown this once.',
  })
  async createWebhookEndpoint(
    @Arg('url') url: string,
    @Arg('eventTypes', () => [String]) eventTypes: string[],
    @Ctx() context: Context,
  ): Promise<WebhookEndpointCreated> {
    const { endpoint, secret } = await context.services.webhooks.create(requireUser(context), url, eventTypes);
    return { endpoint: toWebhookEndpoint(endpoint), secret };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => Boolean, { description: 'Deletes an endpoint and its deliveries; nothing more is sent to it.' })
  async deleteWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<boolean> {
    return context.services.webhooks.delete(requireUser(context), id);
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => WebhookEndpointCreated, {
    description:
      'A new signing secret, shown this once; the old one keeps signing beside it for WEBHOOK_SECRET_OVERLAP (24 h by default).',
  })
  async rotateWebhookEndpointSecret(
    @Arg('id', () => ID) id: string,
    @Ctx() context: Context,
  ): Promise<WebhookEndpointCreated> {
    const { endpoint, secret } = await context.services.webhooks.rotateSecret(requireUser(context), id);
    return { endpoint: toWebhookEndpoint(endpoint), secret };
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => WebhookPing, {
    description: 'Sends a signed webhook.ping to the endpoint now and reports the answer.',
  })
  async pingWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() context: Context): Promise<WebhookPing> {
    return toWebhookPing(await context.services.webhooks.ping(requireUser(context), id));
  }

  @FieldResolver(() => [WebhookDelivery], { description: 'Its latest deliveries, newest first.' })
  async deliveries(
    @Root() endpoint: WebhookEndpoint,
    @Arg('first', () => Int, { defaultValue: 20, description: 'How many, 1 to 200.' }) first: number,
    @Ctx() context: Context,
  ): Promise<WebhookDelivery[]> {
    const rows = await context.services.webhooks.recentDeliveries(requireUser(context), endpoint.id, pageSize(first));
    return rows.map(toWebhookDelivery);
  }
}

/** `Deletion.deliveries`: one statement for a whole list of deletions, through the request's loader. */
@Resolver(() => Deletion)
export class DeletionDeliveriesResolver {
  @FieldResolver(() => [WebhookDelivery], {
    description: 'Its webhook deliveries, one per event and endpoint: state, attempts, last HTTP status.',
  })
  async deliveries(@Root() deletion: Deletion, @Ctx() context: Context): Promise<WebhookDelivery[]> {
    const { workspaceId } = requireUser(context);
    return (await context.loaders.webhookDeliveries.load({ workspaceId, id: deletion.id })).map(toWebhookDelivery);
  }
}
