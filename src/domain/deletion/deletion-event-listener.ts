import { EventEmitter } from 'node:events';
import { Client, Notification } from 'pg';
import { Logger } from '../../log';
import { DELETION_EVENTS_CHANNEL, DeletionEventMessage, parseDeletionEventMessage } from './deletion-events';

/** How the listener's dedicated connection shows up in `pg_stat_activity`. */
export const LISTENER_APPLICATION_NAME = 'crm-archive-listener';

export interface DeletionEventListenerOptions {
  /** The database to LISTEN on: the same one every instance writes its NOTIFYs to. */
  url: string;
  logger: Logger;
  /** Receives every valid message, in commit order; the app republishes it on its pub/sub. */
  onMessage(message: DeletionEventMessage): void;
  /** Called after a reconnect: messages sent while the connection was down are lost for good. */
  onMissedEvents(): void;
  /**
   * Other channels heard on the same connection, each with what receives its payloads (the user
   * cache's changes): one LISTEN connection per process, whatever it listens for.
   */
  channels?: Record<string, (payload: string) => void>;
  /** First reconnect delay; doubles on each failed attempt up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * One dedicated PostgreSQL connection per process that LISTENs for deletion events and hands them
 * to this process's subscribers. Every event, including one this process NOTIFYed itself, arrives
 * this way: one code path whether one instance runs or many.
 *
 * Emits 'listening' after each successful LISTEN, 'disconnected' when the connection is lost,
 * 'retrying' (with the delay in ms) before each reconnect attempt, and 'reconnected' after a
 * reconnect has called `onMissedEvents`.
 */
export class DeletionEventListener extends EventEmitter {
  /** Whether LISTEN is active right now. */
  connected = false;
  /** Successful reconnects since start. */
  reconnects = 0;
  /** NOTIFY payloads dropped because they were not valid messages. */
  ignored = 0;

  private client: Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: DeletionEventListenerOptions) {
    super();
    this.minBackoffMs = options.minBackoffMs ?? 100;
    this.maxBackoffMs = options.maxBackoffMs ?? 5_000;
    this.backoffMs = this.minBackoffMs;
  }

  /** The PostgreSQL backend pid of the LISTEN connection, or null while disconnected. */
  get backendPid(): number | null {
    return (this.client as (Client & { processID?: number }) | null)?.processID ?? null;
  }

  /**
   * Resolves once LISTEN is active, so the server can deliver from its first connection. A first
   * connection that fails rejects (the process fails to start); only later drops are retried.
   */
  async start(): Promise<void> {
    this.stopped = false;
    this.client = await this.connect();
    this.connected = true;
    this.emit('listening');
  }

  /** Ends the connection for good: no reconnect follows. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    this.connected = false;
    if (client) await client.end().catch(() => undefined);
  }

  /** Opens a client and LISTENs; a client that fails on the way is closed before the error is rethrown. */
  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.url,
      application_name: LISTENER_APPLICATION_NAME,
      // A dead peer that never sends FIN (a dropped network) is found by TCP keepalive.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    // Registered before connect: an unhandled 'error' would crash the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client));
    client.on('notification', (notification) => this.deliver(notification));
    try {
      await client.connect();
      for (const channel of [DELETION_EVENTS_CHANNEL, ...Object.keys(this.options.channels ?? {})]) {
        await client.query(`LISTEN ${channel}`);
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  private deliver(notification: Notification): void {
    const other = this.options.channels?.[notification.channel];
    if (other) return other(notification.payload ?? '');
    if (notification.channel !== DELETION_EVENTS_CHANNEL) return;
    const message = parseDeletionEventMessage(notification.payload);
    if (!message) {
      this.ignored += 1;
      this.options.logger.warn(`ignored a malformed deletion event: ${String(notification.payload).slice(0, 200)}`);
      return;
    }
    try {
      this.options.onMessage(message);
    } catch (error) {
      // A failing subscriber must not take the connection down for everyone else.
      this.options.logger.error('a deletion event subscriber failed', error);
    }
  }

  /** The connection dropped ('error' and 'end' both arrive; only the first one for the live client counts). */
  private lost(client: Client, error?: Error): void {
    if (client !== this.client) return;
    this.client = null;
    this.connected = false;
    client.end().catch(() => undefined);
    this.options.logger.warn(`deletion event listener lost its connection${error ? `: ${error.message}` : ''}`);
    this.emit('disconnected');
    if (!this.stopped) this.scheduleReconnect();
  }

  /** Retries with exponential backoff (reset after a success) until LISTEN is active again. */
  private scheduleReconnect(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.emit('retrying', delay);
    this.retryTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.retryTimer = null;
    let client: Client;
    try {
      client = await this.connect();
    } catch (error) {
      this.options.logger.warn(`deletion event listener reconnect failed: ${(error as Error).message}`);
      if (!this.stopped) this.scheduleReconnect();
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    this.backoffMs = this.minBackoffMs;
    this.reconnects += 1;
    this.options.logger.info('deletion event listener reconnected; subscribers are told to refetch');
    this.emit('listening');
    try {
      this.options.onMissedEvents();
    } catch (error) {
      this.options.logger.error('telling subscribers of missed events failed', error);
    }
    this.emit('reconnected');
  }
}
