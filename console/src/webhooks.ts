import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  PingWebhookEndpointDocument,
  RotateWebhookEndpointSecretDocument,
  WebhookEndpointDeliveriesDocument,
  type WebhookEndpointDeliveriesQuery,
} from '../../operations/generated.js';
import type { Api } from './api.js';
import { h, render, renderOnChange } from './dom.js';
import { formatTime } from './format.js';
import { errorText, latestOnly } from './loading.js';

const EVENT_TYPES = [
  'deletion.activated',
  'deletion.cancelled',
  'deletion.reminder',
  'deletion.completed',
  'deletion.failed',
  'hold.placed',
  'hold.released',
];
const DELIVERIES_SHOWN = 10;

type Endpoint = WebhookEndpointDeliveriesQuery['webhookEndpoints'][number];

/**
 * The webhooks page (docs/webhooks.md): register an endpoint, ping it, see its latest deliveries,
 * rotate its secret, delete it. A new secret is shown once, in the status line, never again.
 */
export class WebhooksPanel {
  readonly box = h('div');
  private readonly list = h('div');

  constructor(
    private readonly api: Api,
    private readonly mutate: (action: () => Promise<string>) => Promise<void>,
  ) {
    render(this.box, this.form(), this.list);
  }

  readonly load = latestOnly(
    () => this.api.request(WebhookEndpointDeliveriesDocument, { first: DELIVERIES_SHOWN }),
    ({ webhookEndpoints }) => renderOnChange(this.list, webhookEndpoints, () => endpointsTable(webhookEndpoints, this)),
    (error) => render(this.list, errorText(error)),
  );

  private form(): HTMLElement {
    const url = h('input', { id: 'webhook-url', type: 'url', required: true, placeholder: 'https://…', size: 50 });
    const boxes = EVENT_TYPES.map((type) => h('input', { type: 'checkbox', value: type, checked: true }));
    const submit = (event: Event) => {
      event.preventDefault();
      const eventTypes = boxes.filter((box) => box.checked).map((box) => box.value);
      void this.mutate(async () => {
        const { createWebhookEndpoint } = await this.api.request(CreateWebhookEndpointDocument, {
          url: url.value,
          eventTypes,
        });
        url.value = '';
        return `Endpoint added. Its signing secret, shown this once: ${createWebhookEndpoint.secret}`;
      });
    };
    return h(
      'form',
      { id: 'webhook-form', onsubmit: submit },
      h('label', { for: 'webhook-url' }, 'Endpoint URL '),
      url,
      h(
        'fieldset',
        {},
        h('legend', {}, 'Event types'),
        boxes.map((box) => h('label', {}, box, ` ${box.value} `)),
      ),
      h('button', { type: 'submit', id: 'webhook-add' }, 'Add endpoint'),
    );
  }

  ping(endpoint: Endpoint): void {
    void this.mutate(async () => {
      const { pingWebhookEndpoint: ping } = await this.api.request(PingWebhookEndpointDocument, { id: endpoint.id });
      return ping.ok
        ? `Ping to ${endpoint.url}: answered ${ping.status}.`
        : `Ping to ${endpoint.url} failed: ${ping.error ?? `HTTP ${ping.status}`}.`;
    });
  }

  rotate(endpoint: Endpoint): void {
    void this.mutate(async () => {
      const { rotateWebhookEndpointSecret } = await this.api.request(RotateWebhookEndpointSecretDocument, {
        id: endpoint.id,
      });
      return `New secret for ${endpoint.url}, shown this once (the old one still signs for a day): ${rotateWebhookEndpointSecret.secret}`;
    });
  }

  remove(endpoint: Endpoint): void {
    if (!confirm(`Delete the endpoint ${endpoint.url}? Nothing more is sent to it.`)) return;
    void this.mutate(async () => {
      await this.api.request(DeleteWebhookEndpointDocument, { id: endpoint.id });
      return `Endpoint ${endpoint.url} deleted.`;
    });
  }
}

function endpointsTable(endpoints: Endpoint[], panel: WebhooksPanel): HTMLElement {
  if (endpoints.length === 0) return h('p', {}, 'No webhook endpoint yet.');
  return h(
    'div',
    { id: 'webhook-endpoints' },
    endpoints.map((endpoint, i) =>
      h(
        'article',
        { class: 'webhook-endpoint' },
        h('h3', {}, endpoint.url, endpoint.enabled ? '' : ' (disabled: it kept failing)'),
        h('p', {}, `Events: ${endpoint.eventTypes.join(', ')}. Added ${formatTime(endpoint.createdAt)}.`),
        h('button', { type: 'button', id: `webhook-ping-${i}`, onclick: () => panel.ping(endpoint) }, 'Send test ping'),
        h(
          'button',
          { type: 'button', id: `webhook-rotate-${i}`, onclick: () => panel.rotate(endpoint) },
          'Rotate secret',
        ),
        h('button', { type: 'button', id: `webhook-delete-${i}`, onclick: () => panel.remove(endpoint) }, 'Delete'),
        deliveriesTable(endpoint),
      ),
    ),
  );
}

function deliveriesTable(endpoint: Endpoint): HTMLElement {
  if (endpoint.deliveries.length === 0) return h('p', {}, 'Nothing sent yet.');
  return h(
    'table',
    {},
    h('caption', {}, `Latest deliveries to ${endpoint.url}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Event', 'State', 'Attempts', 'Last answer', 'Delivered / next attempt'].map((title) =>
          h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      endpoint.deliveries.map((delivery) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, `${delivery.eventType} (${formatTime(delivery.occurredAt)})`),
          h('td', {}, delivery.state),
          h('td', {}, String(delivery.attempts)),
          h('td', {}, delivery.lastStatus ? `HTTP ${delivery.lastStatus}` : (delivery.lastError ?? '—')),
          h(
            'td',
            {},
            delivery.deliveredAt
              ? formatTime(delivery.deliveredAt)
              : delivery.nextAttemptAt
                ? `next ${formatTime(delivery.nextAttemptAt)}`
                : '—',
          ),
        ),
      ),
    ),
  );
}
