import { Client } from 'pg';
import { createAppPubSub } from '../src/app';
import { loadConfig } from '../src/config';
import { createDeletionEventDelivery } from '../src/graphql/deletion-event-delivery';
import { LocalFileStore } from '../src/domain/files/file-store';
import { createServices } from '../src/domain/services';
import { createLogger } from '../src/log';
import { DeletionEventListener } from '../src/domain/deletion/deletion-event-listener';
import {
  DELETION_EVENTS_CHANNEL,
  DELETION_EVENTS_TOPIC,
  DeletionEventType,
  publishDeletionEvent,
} from '../src/domain/deletion/deletion-events';
import { BenchDatabase, medianMs } from './bench-database';
import { BenchResult } from './run';

// Kept well below max_connections (100 by default): the baseline opens one connection per subscriber.
const SUBSCRIBERS = 40;
const EVENTS = 25;

/** Resolves once `count` deliveries have been counted; re-armed for each event. */
class Countdown {
  private left = 0;
  private done: () => void = () => undefined;

  arm(count: number): Promise<void> {
    this.left = count;
    return new Promise((resolve) => (this.done = resolve));
  }

  tick(): void {
    this.left -= 1;
    if (this.left === 0) this.done();
  }
}

/**
 * docs/subscription-delivery.md: one LISTEN connection per process, fanned out in memory to its subscribers.
 * Baseline: the naive design, one LISTEN connection per subscriber. Measured: commit of one
 * NOTIFY until every subscriber has the message, median of EVENTS runs.
 */
export async function eventsBench({ db, url }: BenchDatabase): Promise<BenchResult[]> {
  const workspace = await db.one<{ id: string }>(`INSERT INTO workspaces (name) VALUES ('bench') RETURNING id`);
  const publishOne = () =>
    db.transaction((tx) =>
      publishDeletionEvent(tx, {
        type: DeletionEventType.PROGRESS,
        workspaceId: workspace!.id,
        deletionId: workspace!.id,
        actorId: null,
        occurredAt: new Date().toISOString(),
      }),
    );
  const countdown = new Countdown();
  const deliverOnce = async () => {
    const all = countdown.arm(SUBSCRIBERS);
    await publishOne();
    await all;
  };

  // As the app does: each message is published as the delivery its subscribers share.
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, JWT_SECRET: 'bench-secret-long-enough' });
  const services = createServices(config, db, new LocalFileStore(config.dataDir));
  const pubSub = createAppPubSub();
  const listener = new DeletionEventListener({
    url,
    logger: createLogger('silent'),
    onMessage: (message) => pubSub.publish(DELETION_EVENTS_TOPIC, createDeletionEventDelivery(services, message)),
    onMissedEvents: () => undefined,
  });
  await listener.start();
  const iterators = Array.from({ length: SUBSCRIBERS }, () =>
    pubSub.subscribe(DELETION_EVENTS_TOPIC)[Symbol.asyncIterator](),
  );
  for (const iterator of iterators) void pump(iterator, () => countdown.tick());
  const shared = await medianMs(EVENTS, deliverOnce);
  await Promise.all(iterators.map((iterator) => iterator.return?.()));
  await listener.stop();

  const clients = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, async () => {
      const client = new Client({ connectionString: url });
      await client.connect();
      client.on('notification', () => countdown.tick());
      await client.query(`LISTEN ${DELETION_EVENTS_CHANNEL}`);
      return client;
    }),
  );
  const perSubscriber = await medianMs(EVENTS, deliverOnce);
  await Promise.all(clients.map((client) => client.end()));

  return [
    {
      name: `one event to ${SUBSCRIBERS} subscribers, one LISTEN connection + pub/sub`,
      ms: shared,
      baselineName: `${SUBSCRIBERS} LISTEN connections`,
      baselineMs: perSubscriber,
    },
  ];
}

async function pump(iterator: AsyncIterator<unknown>, onValue: () => void): Promise<void> {
  for (;;) {
    const next = await iterator.next();
    if (next.done) return;
    onValue();
  }
}
