import type { Client as WsClient } from 'graphql-ws';

/** An error as graphql-ws hands it to a sink: GraphQL errors from the server, or the close event. */
type SinkError = { message?: string; code?: number; extensions?: { code?: string } };

/** How a subscription ended: an `error` message (GraphQL errors, or the socket's close), or `complete`. */
export type SubscriptionEnd = { errors: SinkError[] } | { complete: true };

/**
 * One subscription over a real graphql-ws client: every payload it delivered and how it ended.
 * Payloads `isWarmUp` recognises (support/warm-up.ts) are only counted, in `warmUps`.
 */
export class SubscriptionLog {
  readonly payloads: unknown[] = [];
  warmUps = 0;
  end: SubscriptionEnd | undefined;

  constructor(client: WsClient, query: string, isWarmUp: (event: Record<string, unknown>) => boolean = () => false) {
    client.subscribe(
      { query },
      {
        next: (value) => {
          const event = (value.data as { deletionEvents?: Record<string, unknown> } | null | undefined)?.deletionEvents;
          if (event && isWarmUp(event)) this.warmUps += 1;
          else this.payloads.push(value);
        },
        error: (error) => (this.end = { errors: Array.isArray(error) ? error : [error] }),
        complete: () => (this.end ??= { complete: true }),
      },
    );
  }

  /** Whether the subscription delivered something or ended. */
  settled(): boolean {
    return this.payloads.length > 0 || this.end !== undefined;
  }

  /** The codes the subscription ended with: `extensions.code` of GraphQL errors, or the close code. */
  endCodes(): (string | number | undefined)[] {
    if (!this.end || !('errors' in this.end)) return [];
    return this.end.errors.map((error) => error.extensions?.code ?? error.code);
  }
}
