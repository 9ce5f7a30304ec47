import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request a receiver got, with whether its signature verified under the receiver's secrets. */
interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
  /** Whether `standardwebhooks` verified it with one of the receiver's secrets. */
  verified: boolean;
  /** The status this receiver answered. */
  status: number;
}

/** What the receiver answers a request (status), possibly after the returned promise settles. */
export type Answer = (request: ReceivedWebhook) => number | Promise<number>;

/** A real HTTP receiver on loopback that verifies signatures with the standardwebhooks library. */
export interface WebhookReceiver {
  url: string;
  /** Every request so far, in arrival order; `status` is 0 until it is answered. */
  received: ReceivedWebhook[];
  /** Requests answered 2xx, once per webhook-id: what the downstream system acted on. */
  accepted(): ReceivedWebhook[];
  /** The secrets signatures are verified with (set after creating the endpoint). */
  secrets: string[];
  answer: Answer;
  close(): Promise<void>;
}

const receivers: WebhookReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

/** Starts a receiver on 127.0.0.1 answering 200 unless `answer` says otherwise; closed after the file. */
export async function startReceiver(answer: Answer = () => 200): Promise<WebhookReceiver> {
  const receiver: WebhookReceiver = {
    url: '',
    received: [],
    secrets: [],
    answer,
    accepted() {
      const seen = new Set<string>();
      return this.received.filter((r) => r.status >= 200 && r.status < 300 && !seen.has(r.id) && seen.add(r.id));
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const headers = {
        'webhook-id': String(req.headers['webhook-id'] ?? ''),
        'webhook-timestamp': String(req.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(req.headers['webhook-signature'] ?? ''),
      };
      const verified = receiver.secrets.some((secret) => {
        try {
          new Webhook(secret).verify(body, headers);
          return true;
        } catch {
          return false;
        }
      });
      const request: ReceivedWebhook = {
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        signature: headers['webhook-signature'],
        body,
        payload: JSON.parse(body) as ReceivedWebhook['payload'],
        verified,
        status: 0,
      };
      receiver.received.push(request);
      void Promise.resolve(receiver.answer(request)).then((status) => {
        request.status = status;
        res.writeHead(status).end();
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receivers.push(receiver);
  return receiver;
}
