import type { Client as WsClient } from 'graphql-ws';
import { EventEmitter, once } from 'node:events';
import { watchWs, WatchedWs, within } from './clients';

/** An error as graphql-ws hands it to a sink: GraphQL errors from the server, or the close event. */
export type SinkError = { message?: string; code?: number; extensions?: { code?: string } };

/** How a subscription ended: an `error` message (GraphQL errors, or the socket's close), or `complete`. */
export type SubscriptionEnd = { errors: SinkError[] } | { complete: true };

/** One subscription over a real graphql-ws client: every payload it delivered and how it ended. */
export class SubscriptionLog {
  readonly payloads: unknown[] = [];
  end: SubscriptionEnd | undefined;
  private readonly changes = new EventEmitter();

  constructor(client: WsClient, query: string) {
    client.subscribe(
      { query },
      {
        next: (value) => this.record(() => this.payloads.push(value)),
        error: (error) => this.record(() => (this.end = { errors: Array.isArray(error) ? error : [error] })),
        complete: () => this.record(() => (this.end ??= { complete: true })),
      },
    );
  }

  /** Resolves once the subscription delivered something or ended; bound it with `within`. */
  async settled(): Promise<void> {
    while (this.payloads.length === 0 && !this.end) await once(this.changes, 'change');
  }

  /** The codes the subscription ended with: `extensions.code` of GraphQL errors, or the close code. */
  endCodes(): (string | number | undefined)[] {
    if (!this.end || !('errors' in this.end)) return [];
    return this.end.errors.map((error) => error.extensions?.code ?? error.code);
  }

  private record(change: () => void): void {
    change();
    this.changes.emit('change');
  }
}

/** Resolves once the server has registered every subscription sent before it on `client`. */
export function roundTrip(client: WsClient): Promise<void> {
  return new Promise((resolve, reject) =>
    client.subscribe({ query: '{ me { id } }' }, { next: () => undefined, error: reject, complete: resolve }),
  );
}

/** Subscribes on `client` and resolves once the server has registered the subscription (bounded by `ms`). */
export async function liveSubscription(client: WsClient, query: string, ms: number): Promise<SubscriptionLog> {
  const log = new SubscriptionLog(client, query);
  await within(roundTrip(client), ms, 'the subscription to be live');
  return log;
}

/**
 * Subscribes as the holder of `token` over a new socket, pushed onto `sockets` for the test's
 * afterEach to dispose, and resolves once the server has registered the subscription.
 */
export function subscribeOnNewSocket(
  wsUrl: string,
  token: string,
  query: string,
  sockets: WatchedWs[],
  ms: number,
): Promise<SubscriptionLog> {
  const socket = watchWs(wsUrl, `Bearer ${token}`);
  sockets.push(socket);
  return liveSubscription(socket.client, query, ms);
}
