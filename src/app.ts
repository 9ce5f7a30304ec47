import { createPubSub } from '@graphql-yoga/subscription';
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { Config } from './config';
import { Database } from './database/database';
import { recordRunningUrl, startEmbeddedPostgres } from './database/embedded-postgres';
import { migrate } from './database/migrate';
import { demoAccess } from './demo/demo-access';
import { isSeeded, seedDemoData } from './demo/demo-seed';
import { createDeletionEventDelivery, DeletionEventDelivery } from './graphql/deletion-event-delivery';
import { ensureDataDir, ensureDevSecret, startOrUnwind, StopStack } from './startup';
import { Logger } from './log';
import { DeletionScheduler } from './scheduler/deletion-scheduler';
import { DeletionEventListener } from './domain/deletion/deletion-event-listener';
import { USER_CHANGES_CHANNEL } from './domain/identity/user-cache';
import { DELETION_EVENTS_TOPIC } from './domain/deletion/deletion-events';
import { FileStore } from './domain/files/file-store';
import { openFileStore } from './domain/files/open-file-store';
import { createServices, createWebhookDelivery, Services } from './domain/services';
import { systemClock } from './domain/clock';
import { TransitionEffect } from './domain/deletion/lifecycle/lifecycle-event';
import { webhookOutboxEffect } from './domain/webhooks/webhook-events';
import { RunningServer, startServer } from './http/http-server';
import { Metrics } from './http/metrics';
import { createSchema } from './graphql/schema';
import { WsCloseCode } from './ws/ws-close-codes';
import { defaultReceiptIssuer, receiptEffect } from './domain/receipts/receipt-issuer';
import { RemovedFold } from './domain/receipts/removed-fold';
import { LeafHashThread } from './domain/receipts/leaf-hash-thread';

/**
 * What runs inside every deletion transition's transaction, after its row, notifications and
 * event (docs/deletion-lifecycle.md): the proof-of-erasure receipts (on COMPLETED and FAILED) and
 * the webhook outbox (one INSERT of the event's deliveries, src/domain/webhooks/webhook-events.ts).
 */
function transitionEffects(config: Config, files: FileStore, fold: RemovedFold): TransitionEffect[] {
  return [receiptEffect(defaultReceiptIssuer(files, config.receiptKeyFile, fold)), webhookOutboxEffect];
}

/** The topics of this process's pub/sub and what each carries. */
type AppPubSub = ReturnType<typeof createAppPubSub>;

/** A started instance: its server and services, and how to stop all of it. */
export interface App {
  server: RunningServer;
  services: Services;
  /** Carries events to this process's subscribers; fed only by `listener`. */
  pubSub: AppPubSub;
  /** This process's LISTEN connection for deletion events. */
  listener: DeletionEventListener;
  /** Executes due deletions; stopped first on `stop()`. */
  scheduler: DeletionScheduler;
  /** Whether this start created the demo data. */
  seeded: boolean;
  stop(): Promise<void>;
}

/**
 * Opens the database (embedded unless DATABASE_URL is set), migrates it, and starts serving.
 * A start that fails stops what it had started (embedded database, pool, listener) and rejects.
 */
export function startApp(config: Config, logger: Logger): Promise<App> {
  return startOrUnwind((stack) => startParts(config, logger, stack));
}

/** startApp's steps, in order; each pushes onto `stack` how to stop what it started. */
async function startParts(loaded: Config, logger: Logger, stack: StopStack): Promise<App> {
  const config = ensureDevSecret(loaded);
  const { url, db } = await openDatabase(config, logger, stack);
  const files = await openFileStore(config);
  stack.push(() => files.close());
  // The executor folds what each chunk removed into the receipt the lifecycle issues at the end,
  // hashing on a thread of its own once built.
  const hashing = LeafHashThread.startIfBuilt();
  if (hashing) stack.push(() => hashing.close());
  const removedFold = new RemovedFold(db, hashing);
  const { services, seeded } = await createAppServices(config, db, files, removedFold);
  // The issuer's keys are fetched in the background: an issuer down at start delays only its tokens.
  const issuerKeys = services.auth.issuer?.verifier.keys;
  issuerKeys?.start(logger);
  if (issuerKeys) stack.push(() => issuerKeys.stop());
  // Assigned once the server listens; the listener is started first so no socket misses an event.
  let server: RunningServer | undefined = undefined;
  // Clients reconnect on 4205 and refetch notifications and the overview (docs/live-notifications.md).
  const { pubSub, listener } = await startEvents(url, services, logger, stack, () =>
    server?.closeSockets(WsCloseCode.EventsMissed),
  );
  const metrics = new Metrics(db, logger);
  server = await startServer({
    services,
    schema: await createSchema(pubSub),
    port: config.port,
    logger,
    metrics,
    eventsLive: () => listener.connected,
    demo: demoAccess(config, services),
  });
  // removedUrl names this server: PUBLIC_URL when set, else where it now listens.
  if (!config.webhooks.publicUrl) services.publicUrl.origin = new URL(server.url).origin;
  const scheduler = startScheduler(config, services, { files, removedFold }, logger, metrics);
  stack.push(drainTogether(server, scheduler));
  return { server, services, pubSub, listener, scheduler, seeded, stop: () => stack.unwind() };
}

/** The database step: embedded unless DATABASE_URL is set, connected and migrated. */
async function openDatabase(config: Config, logger: Logger, stack: StopStack): Promise<{ url: string; db: Database }> {
  ensureDataDir(config.dataDir);
  const url = config.databaseUrl ?? (await startEmbedded(config, logger, stack));
  const db = await Database.connect(url);
  stack.push(() => db.close());
  const applied = await migrate(db.dataSource);
  if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
  return { url, db };
}

/** The services step: the domain core over `db` and the file store, and the demo data where it belongs. */
async function createAppServices(
  config: Config,
  db: Database,
  files: FileStore,
  removedFold: RemovedFold,
): Promise<{ services: Services; seeded: boolean }> {
  const services = createServices(config, db, files, systemClock, transitionEffects(config, files, removedFold));
  // The receipt signing key exists from the first start on, so the JWKS lists it before any receipt.
  await services.receipts.ensureKey();
  // Only the embedded database is seeded by itself: a server named by DATABASE_URL is the operator's.
  // Production never gets demo users: their well-known emails would be accounts nobody owns.
  const seedable = !config.databaseUrl && config.nodeEnv !== 'production';
  const seeded = seedable && !(await isSeeded(db)) && (await seedDemoData(services));
  return { services, seeded };
}

/**
 * The events step. Events reach this process's subscribers only through NOTIFY → listener →
 * pubSub, even those this process published itself: one path for one instance or many (docs/subscription-delivery.md).
 * Each message is published as its delivery, which its subscribers share (deletion-event-delivery.ts).
 */
async function startEvents(
  url: string,
  services: Services,
  logger: Logger,
  stack: StopStack,
  onMissedEvents: () => void,
): Promise<{ pubSub: AppPubSub; listener: DeletionEventListener }> {
  const pubSub = createAppPubSub();
  const listener = new DeletionEventListener({
    url,
    logger,
    onMessage: (message) => pubSub.publish(DELETION_EVENTS_TOPIC, createDeletionEventDelivery(services, message)),
    onMissedEvents,
    channels: { [USER_CHANGES_CHANNEL]: (userId) => services.auth.users.forget(userId) },
  });
  // The user cache keeps rows only while LISTEN is active: a change made while it is down goes unheard.
  listener.on('listening', () => services.auth.users.setLive(true));
  listener.on('disconnected', () => services.auth.users.setLive(false));
  await listener.start();
  stack.push(() => listener.stop());
  return { pubSub, listener };
}

/** The scheduler step: executes due deletions from now on; stopped by `drainTogether`. */
function startScheduler(
  config: Config,
  services: Services,
  { files, removedFold }: { files: FileStore; removedFold: RemovedFold },
  logger: Logger,
  metrics: Metrics,
): DeletionScheduler {
  const scheduler = new DeletionScheduler({
    db: services.db,
    files,
    lifecycle: services.lifecycle,
    selection: services.selection,
    clock: services.clock,
    logger,
    intervalMs: config.schedulerIntervalMs,
    chunkSize: config.deletionChunkSize,
    leaseMs: config.deletionLeaseMs,
    afterChunk: (progress) => metrics.recordChunk(progress),
    webhooks: createWebhookDelivery(services, logger),
    removedFold,
  });
  scheduler.start();
  return scheduler;
}

/** Starts the embedded database under DATA_DIR and records its URL for the CLI commands; returns the URL. */
async function startEmbedded(config: Config, logger: Logger, stack: StopStack): Promise<string> {
  const embedded = await startEmbeddedPostgres({
    dataFolder: path.join(config.dataDir, 'postgres'),
    persistent: true,
    databaseName: 'crm',
    log: (message) => logger.warn(message),
  });
  stack.push(() => embedded.stop());
  recordRunningUrl(config.dataDir, embedded.url);
  stack.push(() => recordRunningUrl(config.dataDir, null));
  logger.info(`embedded PostgreSQL running from ${embedded.dataFolder}`);
  return embedded.url;
}

/**
 * The first step of `stop()`, both halves at once: the server stops accepting (new connections
 * are refused), closes its sockets with 1001 and waits for its requests, while the executor
 * finishes its chunk (whole) and releases its lease. The listener and the database go after both.
 */
function drainTogether(server: RunningServer, scheduler: DeletionScheduler): () => Promise<void> {
  return async () => {
    const [serverStopped, schedulerStopped] = await Promise.allSettled([server.stop(), scheduler.stop()]);
    for (const result of [serverStopped, schedulerStopped]) if (result.status === 'rejected') throw result.reason;
  };
}

/**
 * The process's pub/sub. Its EventTarget has no listener cap: each subscription adds a listener,
 * and Node warns of a leak past 10 on one topic, far below hundreds of connected admins.
 * (Infinity rather than 0: Node's `getMaxListeners` throws on an EventTarget whose cap is 0.)
 */
export function createAppPubSub(eventTarget: EventTarget = new EventTarget()) {
  setMaxListeners(Infinity, eventTarget);
  return createPubSub<{ [DELETION_EVENTS_TOPIC]: [DeletionEventDelivery] }>({ eventTarget });
}
